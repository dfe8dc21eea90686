/** What every route and background service of the server shares. */

import type { SecretBox } from "../core/secret-box";
import type { RepoRecord, Store } from "../store";
import type { ApprovalService } from "./services/approvals";
import type { DeliveryService } from "./services/delivery";
import type { MetricsService } from "./services/metrics";
import type { Notifier } from "./services/notifier";
import type { ScheduleService } from "./services/schedules";
import type { PushReceiver } from "./services/push-receiver";
import type { RunDispatcher } from "./services/run-dispatcher";
import type { Scheduler } from "./services/scheduler";
import type { ServerEvents } from "./services/server-events";

export interface ServerContext {
  store: Store;
  dataDir: string;
  /** Holds `<owner>/<name>.git`. */
  gitRoot: string;
  /** The URL clients use, e.g. `http://127.0.0.1:7700`. */
  publicUrl(): string;
  dispatcher: RunDispatcher;
  pushes: PushReceiver;
  /** `on: schedule` crons of every repo's default branch. */
  scheduler: Scheduler;
  events: ServerEvents;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
  /** GitOps: the sync controllers of env repos and the local runtime. */
  delivery: DeliveryService;
  /** Notification channels, subscriptions and durable deliveries. */
  notifier: Notifier;
  /** Cost-saving schedules: environments asleep out of hours. */
  schedules: ScheduleService;
  /** Prometheus counters and histograms for /metrics. */
  metrics: MetricsService;
  /** Protected environments: approval requests for promotions and workflow jobs. */
  approvals: ApprovalService;
  /** Seals secret settings in the store with `<data dir>/secret.key`. */
  secrets: SecretBox;
}
