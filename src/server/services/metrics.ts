/** Prometheus metrics (prom-client, a registry per server): runs, syncs, deployments, notifications and sleeping environments, fed by server events (src/sync/delivery-events.ts). */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { describeError } from "../../core/errors";
import type { Store } from "../../store";
import type { ServerEvent, ServerEvents } from "./server-events";

const durationBuckets = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export interface MetricsDeps {
  store: Store;
  events: ServerEvents;
  log(message: string): void;
}

export class MetricsService {
  readonly registry = new Registry();
  private readonly runs = new Counter({ name: "slipway_runs_total", help: "Workflow runs completed, by conclusion.", labelNames: ["conclusion"], registers: [this.registry] });
  private readonly runDuration = new Histogram({ name: "slipway_run_duration_seconds", help: "Workflow run duration from start to completion.", labelNames: ["conclusion"], buckets: durationBuckets, registers: [this.registry] });
  private readonly syncs = new Counter({ name: "slipway_syncs_total", help: "Application syncs finished, by result (Succeeded, Failed, RolledBack).", labelNames: ["environment", "result"], registers: [this.registry] });
  private readonly syncDuration = new Histogram({ name: "slipway_sync_duration_seconds", help: "Sync duration from start to Healthy or failure.", labelNames: ["environment", "result"], buckets: durationBuckets, registers: [this.registry] });
  private readonly deployments = new Counter({ name: "slipway_deployments_total", help: "Deployments of a new revision, by result (succeeded, failed, rolled_back).", labelNames: ["environment", "result"], registers: [this.registry] });
  private readonly notifications = new Counter({ name: "slipway_notifications_total", help: "Notification delivery attempts, by channel kind and outcome (sent, retry, failed).", labelNames: ["channel", "outcome"], registers: [this.registry] });
  private readonly asleep = new Gauge({ name: "slipway_environment_asleep", help: "1 while the environment is scaled to zero by its schedule or `slipway env sleep`.", labelNames: ["environment"], registers: [this.registry] });
  private unsubscribe: (() => void) | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: MetricsDeps) {
    collectDefaultMetrics({ register: this.registry, prefix: "slipway_process_" });
  }

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => {
      const work = this.observe(event).catch((error: unknown) => this.deps.log(`metrics: ${event.type}: ${describeError(error)}`));
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.pending]);
  }

  /** Resolves once every event seen so far is counted (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  notificationAttempt(channel: string, outcome: "sent" | "retry" | "failed"): void {
    this.notifications.inc({ channel, outcome });
  }

  environmentAsleep(environment: string, asleep: boolean): void {
    this.asleep.set({ environment }, asleep ? 1 : 0);
  }

  /** The text exposition format for /metrics. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async observe(event: ServerEvent): Promise<void> {
    switch (event.type) {
      case "run.completed": {
        this.runs.inc({ conclusion: event.conclusion });
        const run = await this.deps.store.runs.getRun(event.runId);
        if (run?.startedAt && run.completedAt) this.runDuration.observe({ conclusion: event.conclusion }, Math.max(0, run.completedAt - run.startedAt) / 1000);
        return;
      }
      case "sync.succeeded":
      case "sync.failed":
        this.syncs.inc({ environment: event.environment, result: event.result });
        if (event.durationMs !== null) this.syncDuration.observe({ environment: event.environment, result: event.result }, event.durationMs / 1000);
        return;
      // A manual rollback's restore (trigger "rollback") is not a deployment of new code.
      case "app.deployed":
        if (event.trigger !== "rollback") this.deployments.inc({ environment: event.environment, result: "succeeded" });
        return;
      case "app.deploy-failed":
        this.deployments.inc({ environment: event.environment, result: "failed" });
        return;
      case "rollback":
        if (event.trigger !== "rollback") this.deployments.inc({ environment: event.environment, result: "rolled_back" });
        return;
      default:
        return;
    }
  }
}
