/** Opens the store for a dialect, migrates it to the latest schema and wires the repositories. */

import { Migrator, sql, type Kysely, type MigrationResultSet } from "kysely";
import { systemClock, type Clock } from "../core/clock";
import { SlipwayError, describeError } from "../core/errors";
import { connect, type StoreConfig } from "./connection";
import { SqlEventLog, type EventLog } from "./event-log";
import { SqlLogRepository, type LogRepository } from "./log-repository";
import { migrationProvider } from "./migrations/index";
import { SqlRunRepository, type RunRepository } from "./run-repository";
import { AccountRepository } from "./account-repository";
import { RepoRepository } from "./repo-repository";
import { CheckRepository } from "./check-repository";
import { PullRequestRepository } from "./pull-request-repository";
import { ReleaseRepository } from "./release-repository";
import { SyncRepository } from "./sync-repository";
import { ApprovalRepository } from "./approval-repository";
import { NotificationRepository } from "./notification-repository";
import { ScheduleRepository } from "./schedule-repository";
import type { Database, StoreDialect } from "./schema";
import { asStoreError } from "./store-operation";

/** The repositories bound to one connection or transaction. */
export interface StoreSession {
  readonly dialect: StoreDialect;
  readonly db: Kysely<Database>;
  readonly runs: RunRepository;
  readonly logs: LogRepository;
  readonly events: EventLog;
  readonly accounts: AccountRepository;
  readonly repos: RepoRepository;
  readonly checks: CheckRepository;
  readonly pullRequests: PullRequestRepository;
  readonly releases: ReleaseRepository;
  readonly syncs: SyncRepository;
  readonly approvals: ApprovalRepository;
  readonly notifications: NotificationRepository;
  readonly schedules: ScheduleRepository;
}

export interface Store extends StoreSession {
  /**
   * Runs fn in one transaction: everything done through `session` commits together or not at all.
   * Use only `session` inside fn: on SQLite the one connection is held by the transaction, so a call
   * through the outer store would wait for it forever. Errors thrown by fn are rethrown unchanged.
   */
  transaction<T>(fn: (session: StoreSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreOptions {
  clock?: Clock;
}

export async function openStore(config: StoreConfig, options: StoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  let db: Kysely<Database>;
  try {
    db = connect(config);
  } catch (error) {
    throw asStoreError(`open ${config.dialect} store`, error);
  }
  try {
    await migrate(db, config.dialect);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return createStore(db, config.dialect, clock);
}

async function migrate(db: Kysely<Database>, dialect: StoreDialect): Promise<void> {
  const { error, results } = dialect === "sqlite" ? await migrateSqliteAtomically(db) : await migrator(db, dialect).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((result) => result.status === "Error")?.migrationName;
  throw new SlipwayError(
    "STORE_FAILED",
    `store: migrating the ${dialect} database failed${failed ? ` at ${failed}` : ""}: ${describeError(error)}`,
    { cause: error },
  );
}

function migrator(db: Kysely<Database>, dialect: StoreDialect): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: "slipway_migration",
    migrationLockTableName: "slipway_migration_lock",
  });
}

/**
 * Kysely runs SQLite migrations outside a transaction and with no lock between processes, so two
 * `slipway run` opening a new store together both ran 001 and one failed. Holding the write lock
 * (BEGIN IMMEDIATE, which waits out another writer for the busy timeout) for the whole migration
 * makes it one step: the second process finds the migrations done, and a crash leaves none half-applied.
 */
async function migrateSqliteAtomically(db: Kysely<Database>): Promise<MigrationResultSet> {
  try {
    return await db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      const outcome = await migrator(connection, "sqlite").migrateToLatest();
      await sql.raw(outcome.error === undefined ? "commit" : "rollback").execute(connection);
      return outcome;
    });
  } catch (error) {
    return { error };
  }
}

function createSession(db: Kysely<Database>, dialect: StoreDialect, clock: Clock): StoreSession {
  return {
    dialect,
    db,
    runs: new SqlRunRepository(db, clock),
    logs: new SqlLogRepository(db, clock),
    events: new SqlEventLog(db, dialect, clock),
    accounts: new AccountRepository(db, clock),
    repos: new RepoRepository(db, clock),
    checks: new CheckRepository(db, clock),
    pullRequests: new PullRequestRepository(db, clock),
    releases: new ReleaseRepository(db, clock),
    syncs: new SyncRepository(db, clock),
    approvals: new ApprovalRepository(db, dialect, clock),
    notifications: new NotificationRepository(db, clock),
    schedules: new ScheduleRepository(db, clock),
  };
}

function createStore(db: Kysely<Database>, dialect: StoreDialect, clock: Clock): Store {
  let closed: Promise<void> | undefined;
  return {
    ...createSession(db, dialect, clock),
    async transaction<T>(fn: (session: StoreSession) => Promise<T>): Promise<T> {
      let thrownByCaller = false;
      try {
        return await db.transaction().execute(async (trx) => {
          try {
            return await fn(createSession(trx, dialect, clock));
          } catch (error) {
            thrownByCaller = true;
            throw error;
          }
        });
      } catch (error) {
        throw thrownByCaller ? error : asStoreError("transaction", error);
      }
    },
    close(): Promise<void> {
      closed ??= db.destroy().catch((error: unknown) => {
        throw asStoreError("close", error);
      });
      return closed;
    },
  };
}
