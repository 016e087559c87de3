import { OlapTable, Stream } from "@514labs/moose-lib";
import { PageView, Signup } from "./models";

export const pageViews = new OlapTable<PageView>("PageView", { orderByFields: ["id", "viewedAt"] });
export const pageViewStream = new Stream<PageView>("PageView");

export const signups = new OlapTable<Signup>("Signup");

/** Code moose-dev does not run: parsed, then skipped. */
export function describe(): string {
  return `${pageViews.name.length} tables`;
}
