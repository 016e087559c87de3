// Data models for the quickstart project. Edit me while `moose-dev dev` runs.
import { DateTime, Int64, Key } from "@514labs/moose-lib";

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
