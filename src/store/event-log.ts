/** The append-only event log that traces commit → run → release → image → deploy → health. */

import { sql, type Kysely } from "kysely";
import type { Clock } from "../core/clock";
import type { JsonValue } from "../core/json";
import type { Database, StoreDialect } from "./schema";
import { inTransaction, parseJsonText, storeOperation, toJsonText } from "./store-operation";

export interface NewEvent {
  /** e.g. `run.created`, `sync.completed`. */
  type: string;
  /** What the event is about, e.g. `run:12`, `app:web/prod`. */
  subject: string;
  payload: JsonValue;
}

export interface EventRecord extends NewEvent {
  id: number;
  createdAt: number;
}

export interface EventQuery {
  /** Only events with a larger id: the cursor for tailing the log. */
  afterId?: number;
  types?: string[];
  subject?: string;
  /** Defaults to 100. */
  limit?: number;
}

export interface EventLog {
  append(event: NewEvent): Promise<{ id: number; createdAt: number }>;
  /** Oldest first. */
  list(query?: EventQuery): Promise<EventRecord[]>;
}

const DEFAULT_LIST_LIMIT = 100;
/** Arbitrary constant naming the advisory lock that orders event appends on Postgres. */
const EVENT_APPEND_LOCK = 0x5e1e7;

export class SqlEventLog implements EventLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StoreDialect,
    private readonly clock: Clock,
  ) {}

  append(event: NewEvent): Promise<{ id: number; createdAt: number }> {
    return storeOperation("appendEvent", () =>
      inTransaction(this.db, async (trx) => {
        // Postgres hands out ids at insert but commits in any order; a reader tailing by `afterId`
        // could then skip an id that commits late. Holding this lock to commit makes id order commit order.
        if (this.dialect === "postgres") await sql`select pg_advisory_xact_lock(${EVENT_APPEND_LOCK})`.execute(trx);
        const createdAt = this.clock.now();
        const row = await trx
          .insertInto("events")
          .values({ type: event.type, subject: event.subject, payload_json: toJsonText(event.payload), created_at: createdAt })
          .returning("id")
          .executeTakeFirstOrThrow();
        return { id: row.id, createdAt };
      }),
    );
  }

  list(query: EventQuery = {}): Promise<EventRecord[]> {
    return storeOperation("listEvents", async () => {
      let select = this.db.selectFrom("events").selectAll().where("id", ">", query.afterId ?? 0);
      if (query.types !== undefined) {
        if (query.types.length === 0) return [];
        select = select.where("type", "in", query.types);
      }
      if (query.subject !== undefined) select = select.where("subject", "=", query.subject);
      const rows = await select.orderBy("id").limit(query.limit ?? DEFAULT_LIST_LIMIT).execute();
      return rows.map((row) => ({
        id: row.id,
        type: row.type,
        subject: row.subject,
        payload: parseJsonText<JsonValue>(row.payload_json, null),
        createdAt: row.created_at,
      }));
    });
  }
}
