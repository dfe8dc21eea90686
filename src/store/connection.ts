/** Creates the Kysely instance for a dialect: SQLite pragmas, Postgres pool and type parsers. */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema";

export type StoreConfig = { dialect: "sqlite"; path: string } | { dialect: "postgres"; connectionString: string };

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const PG_INT8_OID = 20;
const PG_JSON_OID = 114;
const PG_JSONB_OID = 3802;

export function connect(config: StoreConfig): Kysely<Database> {
  return config.dialect === "sqlite" ? connectSqlite(config.path) : connectPostgres(config.connectionString);
}

function connectSqlite(path: string): Kysely<Database> {
  const inMemory = path === ":memory:" || path === "";
  return new Kysely<Database>({
    dialect: new SqliteDialect({
      database: async () => {
        if (!inMemory) mkdirSync(dirname(path), { recursive: true });
        const database = new SQLite(path);
        // WAL lets readers run beside the writer; NORMAL is durable across app crashes in WAL mode.
        database.pragma("journal_mode = WAL");
        database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        database.pragma("foreign_keys = ON");
        database.pragma("synchronous = NORMAL");
        return database;
      },
    }),
  });
}

/** Epoch-ms times and ids are int8: parse them to numbers (exact below 2^53, which they stay). */
function parseInt8(value: string): number {
  return Number(value);
}

/** Keep JSON columns as text so both dialects go through the same JSON.parse in the mappers. */
function keepJsonText(value: string): string {
  return value;
}

function connectPostgres(connectionString: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") => {
        if (oid === PG_INT8_OID) return parseInt8;
        if (oid === PG_JSON_OID || oid === PG_JSONB_OID) return keepJsonText;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection emits here; without a listener Node would crash the server.
  // The pool drops that client and the next query reports the failure through the store.
  pool.on("error", () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
