/** Shared set-up for the store suite: one store per dialect, plus factories for runs and jobs. */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { ManualClock } from "../../src/core/clock";
import { openStore, type NewRun, type Store, type StoreConfig, type StoreDialect, type StoreSession } from "../../src/store/index";
import { startPostgres, type TestPostgres } from "../support/postgres";

export const START_TIME = Date.UTC(2025, 0, 1);

export interface StoreTestContext {
  readonly dialect: StoreDialect;
  /** Opened before the first test; tests keep apart by using their own repo names and subjects. */
  readonly store: Store;
  readonly clock: ManualClock;
  readonly config: StoreConfig;
  /** Opens another store on the same database (closed by the caller). */
  reopen(): Promise<Store>;
}

/** Opens the store before the file's tests (its clock at `startTime`) and closes it, with its database, after them. */
export function useStoreUnderTest(dialect: StoreDialect, startTime = START_TIME): StoreTestContext {
  const clock = new ManualClock(startTime);
  let store: Store | undefined;
  let config: StoreConfig | undefined;
  let postgres: TestPostgres | undefined;
  let sqliteDir: string | undefined;

  beforeAll(async () => {
    if (dialect === "postgres") {
      postgres = await startPostgres();
      config = { dialect, connectionString: postgres.connectionString };
    } else {
      sqliteDir = mkdtempSync(join(tmpdir(), "slipway-store-"));
      config = { dialect, path: join(sqliteDir, "nested", "slipway.db") };
    }
    store = await openStore(config, { clock });
  });

  afterAll(async () => {
    await store?.close();
    await postgres?.stop();
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  });

  return {
    dialect,
    clock,
    get store(): Store {
      if (!store) throw new Error("store not open yet");
      return store;
    },
    get config(): StoreConfig {
      return requireConfig();
    },
    reopen: () => openStore(requireConfig(), { clock }),
  };

  function requireConfig(): StoreConfig {
    if (!config) throw new Error("store not configured yet");
    return config;
  }
}

let repoCounter = 0;

/** A repo name no other test uses, so tests sharing a database do not see each other's runs. */
export function uniqueRepo(label: string): string {
  repoCounter += 1;
  return `acme/${label}-${repoCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function newRun(repo: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    repo,
    workflowFile: ".github/workflows/ci.yml",
    workflowName: "CI",
    event: "push",
    ref: "refs/heads/main",
    sha: "0123456789abcdef0123456789abcdef01234567",
    actor: "octocat",
    inputs: { deploy: true, target: "staging" },
    ...overrides,
  };
}

/** A run with one job, for tests about jobs, steps and logs. */
export async function createRunWithJob(store: StoreSession, label: string): Promise<{ runId: number; jobId: number }> {
  const run = await store.runs.createRun(newRun(uniqueRepo(label)));
  const job = await store.runs.createJob({ runId: run.id, jobId: "build", name: "build" });
  return { runId: run.id, jobId: job.id };
}
