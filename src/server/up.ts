/**
 * `slipway up`: one process serving the API, git over smart HTTP and the background work, with all
 * state in one data directory. Refuses a second server on the same directory; SIGTERM shuts down
 * gracefully (running runs are cancelled and recorded, the store closed, the lock released).
 */

import { SecretBox } from "../core/secret-box";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import { systemClock, type Clock } from "../core/clock";
import { openStore, type PushRecord, type RepoRecord, type Store, type StoreConfig } from "../store";
import { bareRepoPath } from "../git/bare-repos";
import { buildApp } from "./app";
import { lockDataDir, type DataLock } from "./data-lock";
import type { ServerContext } from "./server-context";
import { ApprovalService } from "./services/approvals";
import { approvalGate } from "./services/approvals-gate";
import { DeliveryService, serverRegistryAuth, type DeliveryOptions } from "./services/delivery";
import { MetricsService } from "./services/metrics";
import { Notifier } from "./services/notifier";
import { ScheduleService } from "./services/schedules";
import type { RetryPolicy } from "../notify/delivery-worker";
import type { DesiredState } from "../sync/controller/desired-state";
import { serverImageSource } from "../runtime/local/image-source";
import { syncPullRequestsWithPush } from "./services/pull-request-events";
import { PushReceiver } from "./services/push-receiver";
import { RunDispatcher } from "./services/run-dispatcher";
import { ServerEvents } from "./services/server-events";
import { Scheduler } from "./services/scheduler";
import { killOrphanedSteps, recoverInterruptedRuns } from "./services/startup-recovery";

export interface ServerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  /** Default: SQLite in DIR/slipway.db. */
  store?: StoreConfig;
  maxParallelJobs?: number;
  /** Time for `schedule` triggers (tests inject a manual clock and call `context.scheduler.tick()`). */
  clock?: Clock;
  log?: (message: string) => void;
  /** GitOps delivery: ingress ports per environment, resync and drift-check periods. */
  delivery?: DeliveryOptions;
  /** Notification delivery retries (tests shorten the backoff). */
  notifications?: { retry?: Partial<RetryPolicy> };
}

export interface RunningServer {
  url: string;
  context: ServerContext;
  app: FastifyInstance;
  /** Set on the first start: where the admin token was written. */
  adminTokenPath?: string;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  let store: Store | undefined;
  try {
    store = await openStore(options.store ?? { dialect: "sqlite", path: join(dataDir, "slipway.db") });
    return await serve(options, dataDir, store, lock);
  } catch (error) {
    await store?.close();
    await lock.release();
    throw error;
  }
}

async function serve(options: ServerOptions, dataDir: string, store: Store, lock: DataLock): Promise<RunningServer> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const gitRoot = join(dataDir, "git");
  await mkdir(gitRoot, { recursive: true });
  const events = new ServerEvents();
  let url = "";
  const repoPath: ServerContext["repoPath"] = (repo) => bareRepoPath(gitRoot, repo);
  // Approved promotions are written by the server and recorded as pushes (delivery syncs them, push workflows run).
  const approvals = new ApprovalService({ store, events, dataDir, repoPath, log, publicUrl: () => url, recordPush: (repo, update, pusher) => pushes.recordAndProcess(repo, update, pusher) });
  const environmentGate = approvalGate({ store, events, approvals, log });
  const dispatcher = new RunDispatcher({ store, dataDir, events, repoPath, maxParallelJobs: options.maxParallelJobs, log, environmentGate });
  const images = serverImageSource(dataDir, () => url);
  const delivery = new DeliveryService({ store, events, dataDir, repoPath, log, images, registryAuth: serverRegistryAuth(dataDir, () => url), adjustDesired: (application, desired): DesiredState => schedules.adjustDesired(application, desired) }, options.delivery);
  const metrics = new MetricsService({ store, events, log });
  const secrets = SecretBox.fromKeyFile(join(dataDir, "secret.key"));
  const notifier = new Notifier({ store, events, delivery, publicUrl: () => url, log, secrets, retry: options.notifications?.retry, onAttempt: (kind, outcome) => metrics.notificationAttempt(kind, outcome) });
  const schedules: ScheduleService = new ScheduleService({ store, delivery, events, clock: options.clock ?? systemClock, log, onPower: (environment, asleep) => metrics.environmentAsleep(environment, asleep) });
  // A branch push feeds delivery (env repos sync at once) and pull requests (head update, synchronize).
  const onBranchPush = async (repo: RepoRecord, push: PushRecord): Promise<void> => {
    delivery.onBranchPush(repo, push);
    await syncPullRequestsWithPush(context, repo, push);
  };
  const pushes = new PushReceiver({ store, spoolDir: join(dataDir, "spool", "pushes"), dispatcher, events, repoPath, log, onBranchPush });
  const scheduler = new Scheduler({ store, dispatcher, events, repoPath, log, clock: options.clock ?? systemClock });
  const context: ServerContext = { store, dataDir, gitRoot, publicUrl: () => url, dispatcher, pushes, scheduler, events, repoPath, log, delivery, approvals, notifier, schedules, metrics, secrets };

  const orphans = await killOrphanedSteps(dataDir);
  if (orphans.length > 0) log(`recovered: ended ${orphans.length} step process(es) left running by the previous server`);
  const interrupted = await recoverInterruptedRuns(store, log);
  if (interrupted.length > 0) log(`recovered: runs ${interrupted.join(", ")} were in progress when the server stopped; marked failed`);
  const adminTokenPath = await bootstrapAdmin(store, dataDir);

  const app = await buildApp(context);
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 7700 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : options.port ?? 7700;
  url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  await pushes.recover();
  await scheduler.start();
  metrics.start();
  const resealed = await notifier.sealStoredSecrets();
  if (resealed > 0) log(`sealed the secrets of ${resealed} notification channel(s) stored in plain text by an earlier version`);
  notifier.start();
  // Before the controllers start: environments asleep stay asleep from their first reconcile.
  await schedules.start();
  await delivery.recover();
  // After listen: an approved promotion resumed here pushes and checks tags with the server's own address.
  await approvals.recover();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      scheduler.stop();
      await schedules.close();
      await app.close();
      await delivery.close();
      // Promotions in flight finish first (their pushes may start runs), and waiting jobs stop waiting.
      await approvals.close();
      await dispatcher.shutdown();
      await notifier.close();
      await metrics.close();
      await store.close();
      await lock.release();
    })());
  return { url, context, app, adminTokenPath, close };
}

/** First start: an admin user and a token in DIR/admin.token (mode 0600). */
async function bootstrapAdmin(store: Store, dataDir: string): Promise<string | undefined> {
  if ((await store.accounts.countUsers()) > 0) return undefined;
  const admin = await store.accounts.createUser("admin", { isAdmin: true });
  const issued = await store.accounts.issueToken(admin.id, "admin.token");
  const path = join(dataDir, "admin.token");
  await writeFile(path, `${issued.token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}
