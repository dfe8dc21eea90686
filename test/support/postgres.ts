/** A real Postgres for tests: a fresh database per caller, on SLIPWAY_TEST_PG_URL or a private temp cluster. */

import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freeLoopbackPort as freePort } from "../../src/runtime/local/ports";

export interface TestPostgres {
  /** A database of its own, created for this caller; dropped by stop(). */
  connectionString: string;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/**
 * With SLIPWAY_TEST_PG_URL (CI: scripts/start-postgres.sh), creates a randomly named database on
 * that server. Otherwise runs initdb into a temp dir (as the `postgres` user when we are root, since
 * postgres refuses to run as root) and starts a cluster on a free 127.0.0.1 port. stop() drops the
 * database and stops only a cluster it started, then removes its directory.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const serverUrl = process.env.SLIPWAY_TEST_PG_URL;
  if (serverUrl) return createDatabase(serverUrl, async () => undefined);
  const cluster = await startTemporaryCluster();
  try {
    return await createDatabase(cluster.url, cluster.stop);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function createDatabase(serverUrl: string, stopServer: () => Promise<void>): Promise<TestPostgres> {
  const name = `slipway_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let stopped: Promise<void> | undefined;
  return {
    connectionString: url.toString(),
    stop: () =>
      (stopped ??= (async () => {
        try {
          await withAdmin(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
        } finally {
          await stopServer();
        }
      })()),
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface TemporaryCluster {
  url: string;
  stop(): Promise<void>;
}

async function startTemporaryCluster(): Promise<TemporaryCluster> {
  const bin = postgresBinDir();
  const asPostgresUser = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "slipway-pg-"));
  const dataDir = join(dir, "data");
  if (asPostgresUser) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const postgresCommand = (tool: string, args: string[]): [string, string[]] =>
    asPostgresUser ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
  const pgCtlStop = postgresCommand("pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w"]);
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

  // Best effort if the test process exits without calling stop(): never leave a server behind.
  let running = false;
  const stopOnExit = (): void => {
    if (running) spawnQuietly(pgCtlStop);
    removeDir();
  };
  process.once("exit", stopOnExit);

  try {
    await run(...postgresCommand("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]));
    const port = await freePort();
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await run(...postgresCommand("pg_ctl", ["start", "-D", dataDir, "-w", "-t", "60", "-l", join(dir, "server.log"), "-o", serverOptions]));
    running = true;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        process.removeListener("exit", stopOnExit);
        if (running) await run(...pgCtlStop);
        running = false;
        removeDir();
      },
    };
  } catch (error) {
    process.removeListener("exit", stopOnExit);
    if (running) spawnQuietly(pgCtlStop);
    removeDir();
    throw error;
  }
}

function spawnQuietly([command, args]: [string, string[]]): void {
  try {
    execFileSync(command, args, { stdio: "ignore" });
  } catch {
    // Nothing more to do while exiting.
  }
}

/** SLIPWAY_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else tools on PATH. */
function postgresBinDir(): string {
  if (process.env.SLIPWAY_PG_BIN) return process.env.SLIPWAY_PG_BIN;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], "bin");
  }
  return "";
}

