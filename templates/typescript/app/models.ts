// Data models for this project. Edit me while `moose-dev dev` runs.
import { DateTime, Int64, Key, OlapTable, Stream } from "@514labs/moose-lib";

export interface PageView {
  id: Key<string>;
  url: string;
  referrer?: string;
  viewedAt: DateTime;
  durationMs: Int64;
}

export interface Signup {
  id: Key<string>;
  email: string;
  plan: string;
  tags: string[];
  signedUpAt: DateTime;
}

export const pageViews = new OlapTable<PageView>("PageView", { orderByFields: ["id", "viewedAt"] });
export const pageViewStream = new Stream<PageView>("PageView");

export const signups = new OlapTable<Signup>("Signup");
