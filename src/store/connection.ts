/** Creates the Kysely instance for a dialect: SQLite pragmas, Postgres pool and type parsers. */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from "kysely";
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

/**
 * A deferred BEGIN that reads and then writes gets SQLITE_BUSY at once, without waiting, when another
 * process wrote in between (two `slipway run` in one repository numbering their runs). BEGIN IMMEDIATE
 * takes the write lock up front and so waits its turn for the busy timeout instead.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }
}

/**
 * Switching to WAL needs a lock that SQLite does not wait for with the busy timeout: when another
 * process is creating the same new store at that moment, it answers SQLITE_BUSY at once. Try again.
 */
async function switchToWal(database: SQLite.Database): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      database.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code?.startsWith("SQLITE_BUSY") === true;
      if (!busy || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

function connectSqlite(path: string): Kysely<Database> {
  const inMemory = path === ":memory:" || path === "";
  return new Kysely<Database>({
    dialect: new ImmediateTransactionSqliteDialect({
      database: async () => {
        if (!inMemory) mkdirSync(dirname(path), { recursive: true });
        const database = new SQLite(path);
        database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        // WAL lets readers run beside the writer; NORMAL is durable across app crashes in WAL mode.
        await switchToWal(database);
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
