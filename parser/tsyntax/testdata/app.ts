// A Moose application module of the shape the static reader evaluates,
// written for these tests.
import {
  OlapTable,
  Stream,
  IngestPipeline,
  Api,
  MaterializedView,
  sql,
  Key,
  DateTime,
  type ClickHouseDefault,
  LowCardinality,
} from "@514labs/moose-lib";
import typia, { tags } from "typia";
import type { Extra } from "./extra";
import * as helpers from "./helpers";

export enum Status {
  Active = "active",
  Paused = "paused",
}

export const enum Level { Low, Mid = 5, High }

/** A user of the product. */
export interface User {
  /** The primary key. */
  id: Key<string>;
  /** When the user signed up. */
  createdAt: DateTime;
  name: string & tags.MaxLength<64>;
  age?: number & tags.Type<"int32">;
  email: string & tags.Format<"email">;
  status: Status;
  country: string & LowCardinality;
  score: number & ClickHouseDefault<"0">;
  tags: string[];
  nested: { a: number; b?: string | null };
  readonly flags: Record<string, boolean>;
}

export type Enriched = User & Extra & {
  /** Derived. */
  domain: string;
};

type Kind = "click" | "view" | "purchase";

export interface Event extends Pick<User, "id"> {
  kind: Kind;
  at: DateTime;
  props: [key: string, value: number][];
}

const defaults = { orderByFields: ["id", "createdAt"] as const } as const;

export const users = new OlapTable<User>("users", {
  ...defaults,
  partitionBy: "toYYYYMM(createdAt)",
  ttl: `createdAt + INTERVAL 90 DAY`,
  settings: { index_granularity: "8192" },
});

export const events = new IngestPipeline<Event>("events", {
  table: { orderByFields: ["id", "at"] },
  stream: true,
  ingestApi: true,
  deadLetterQueue: true,
  version: "1.2",
});

export const enriched = new Stream<Enriched>("enriched");

events.stream!.addTransform(enriched, async (e: Event): Promise<Enriched | null> => {
  if (e.kind === "view" && /bot|crawler/i.test(String(e.props))) return null;
  const total = e.props.reduce<number>((acc, [, v]) => acc + v / 2, 0);
  return { ...(e as any), domain: helpers.domainOf(`${e.id}`), total } as Enriched;
});

export const daily = new MaterializedView<{ day: string; n: number }>({
  selectStatement: sql`SELECT toDate(${users.columns.createdAt}) AS day, count() AS n
    FROM ${users} WHERE ${sql`status = ${"active"}`} GROUP BY day`,
  selectTables: [users],
  tableName: "daily",
  materializedViewName: "daily_mv",
});

export const stats = new Api<{ limit?: number }, { day: string; n: number }[]>(
  "stats",
  async ({ limit = 10 }, { client, sql }) => {
    const rows = await client.query.execute<{ day: string; n: number }>(
      sql`SELECT * FROM daily ORDER BY day DESC LIMIT ${limit}`,
    );
    return rows.json();
  },
);

function makeTable<T>(name: string) {
  return new OlapTable<T>(name);
}

for (const n of ["a", "b"]) {
  makeTable<User>(n);
}

export default { users, events };
