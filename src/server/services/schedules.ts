/**
 * Cost-saving schedules in the server: outside an environment's uptime (or after `slipway env sleep`) its
 * Deployments' desired replicas become 0 through the controller's adjustDesired hook, so self-heal keeps
 * them asleep instead of fighting it; git's counts come back at wake. Sleeps are stored and logged as events.
 */

import type { Clock } from "../../core/clock";
import { SlipwayError, describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import { decidePower, overrideEnd, replicaHoursSaved, type PowerDecision, type PowerState } from "../../insight/schedule-power";
import { parseUptime } from "../../insight/schedule-window";
import type { EnvironmentScheduleRecord, Store } from "../../store";
import type { DesiredState } from "../../sync/controller/desired-state";
import type { DeliveryService, FoundApp } from "./delivery";
import type { ServerEvents } from "./server-events";

export interface ScheduleDeps {
  store: Store;
  delivery: DeliveryService;
  events: ServerEvents;
  clock: Clock;
  log(message: string): void;
  onPower?(environment: string, asleep: boolean): void;
}

export interface EnvironmentPower {
  environment: string;
  uptime: string | null;
  exclusions: string[];
  override: EnvironmentScheduleRecord["override"];
  /** What runs now. */
  state: PowerState;
  decision: PowerDecision;
  /** Replicas remembered when the current sleep began. */
  sleepingReplicas?: Record<string, number>;
  replicaHoursSaved: { last7d: number; last30d: number };
}

/** The longest the service waits between evaluations (clock changes, missed timers). */
const MAX_WAIT_MS = 60_000;

export class ScheduleService {
  /** Sleeping environments → apps excluded from the sleep; read synchronously by adjustDesired. */
  private readonly asleep = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: ScheduleDeps) {}

  /** The controller hook: a sleeping environment's Deployments want 0 replicas (excluded apps keep git's count). */
  readonly adjustDesired = (application: ApplicationManifest, desired: DesiredState): DesiredState => {
    if (this.asleep.size === 0) return desired;
    const app = application.metadata.name;
    const sleeps = (namespace: string) => this.asleep.has(namespace) && !this.asleep.get(namespace)?.has(app);
    if (!desired.objects.some((entry) => entry.object.kind === "Deployment" && sleeps(entry.namespace))) return desired;
    const objects = desired.objects.map((entry) => {
      if (entry.object.kind !== "Deployment" || !sleeps(entry.namespace)) return entry;
      const spec: JsonObject = { ...((entry.kube.spec as JsonObject | undefined) ?? {}), replicas: 0 };
      return { ...entry, object: { ...entry.object, replicas: 0 }, kube: { ...entry.kube, spec } };
    });
    return { ...desired, objects };
  };

  /** Restores sleep state from the store (before the controllers' first reconcile), then evaluates every schedule. */
  async start(): Promise<void> {
    for (const record of await this.deps.store.schedules.list()) {
      if (await this.deps.store.schedules.openSleep(record.environment)) this.asleep.set(record.environment, new Set(record.exclusions));
    }
    await this.evaluate();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.queue.catch(() => undefined);
  }

  /** Applies every environment's decision now (the timer calls it; tests with a manual clock call it too). */
  evaluate(environment?: string): Promise<void> {
    return this.serial(async () => {
      const records = await this.deps.store.schedules.list();
      for (const record of records) {
        if (environment !== undefined && record.environment !== environment) continue;
        await this.apply(record, decidePower(record, this.deps.clock.now()));
      }
      this.arm(records);
    });
  }

  async setSchedule(environment: string, uptime: string | null, exclusions?: string[]): Promise<EnvironmentPower> {
    if (uptime !== null) parseUptime(uptime);
    await this.deps.store.schedules.save(environment, { uptime, exclusions });
    await this.evaluate(environment);
    return this.status(environment);
  }

  /** `slipway env sleep|wake ENV [--for 2h]`: an override until `for` ends, else until the schedule's next turn. */
  async override(environment: string, state: PowerState, forMs: number | undefined, by: string): Promise<EnvironmentPower> {
    const record = await this.deps.store.schedules.find(environment);
    this.requireKnown(environment, record);
    const until = overrideEnd(record?.uptime ?? null, state, this.deps.clock.now(), forMs);
    await this.deps.store.schedules.save(environment, { override: { state, until } });
    this.deps.log(`schedules: ${environment} ${state === "asleep" ? "sleeps" : "wakes"} by ${by}${until === null ? "" : ` until ${new Date(until).toISOString()}`}`);
    await this.evaluate(environment);
    return this.status(environment);
  }

  async status(environment: string): Promise<EnvironmentPower> {
    const record = await this.deps.store.schedules.find(environment);
    this.requireKnown(environment, record);
    return this.describe(record ?? { environment, uptime: null, exclusions: [], override: null, updatedAt: 0 });
  }

  async statuses(): Promise<EnvironmentPower[]> {
    return Promise.all((await this.deps.store.schedules.list()).map((record) => this.describe(record)));
  }

  /** Replica-hours saved by sleeping over the last `periodMs` (one environment, or all). */
  async savings(environment: string | undefined, periodMs: number): Promise<{ environment: string | null; since: string; until: string; replicaHours: number }> {
    const now = this.deps.clock.now();
    const since = now - periodMs;
    const sleeps = await this.deps.store.schedules.sleepsSince(environment, since);
    return { environment: environment ?? null, since: new Date(since).toISOString(), until: new Date(now).toISOString(), replicaHours: replicaHoursSaved(sleeps, since, now) };
  }

  private requireKnown(environment: string, record: EnvironmentScheduleRecord | undefined): void {
    if (record || this.appsIn(environment).length > 0) return;
    throw new SlipwayError("NOT_FOUND", `There is no environment ${environment}: no Application deploys to it and it has no schedule.`, { hint: "`slipway apps` lists the Applications and their environments." });
  }

  private async describe(record: EnvironmentScheduleRecord): Promise<EnvironmentPower> {
    const now = this.deps.clock.now();
    const sleeps = await this.deps.store.schedules.sleepsSince(record.environment, now - 30 * 86_400_000);
    const open = sleeps.find((sleep) => sleep.endedAt === null);
    return {
      environment: record.environment,
      uptime: record.uptime,
      exclusions: record.exclusions,
      override: record.override,
      state: this.asleep.has(record.environment) ? "asleep" : "awake",
      decision: decidePower(record, now),
      ...(open ? { sleepingReplicas: open.replicas } : {}),
      replicaHoursSaved: { last7d: replicaHoursSaved(sleeps, now - 7 * 86_400_000, now), last30d: replicaHoursSaved(sleeps, now - 30 * 86_400_000, now) },
    };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private arm(records: EnvironmentScheduleRecord[]): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    const now = this.deps.clock.now();
    const turns = records.map((record) => decidePower(record, now).until).filter((at): at is number => at !== undefined);
    const wait = Math.min(MAX_WAIT_MS, ...turns.map((at) => Math.max(0, at - now + 1)));
    this.timer = setTimeout(() => void this.evaluate().catch((error: unknown) => this.deps.log(`schedules: ${describeError(error)}`)), wait);
    this.timer.unref();
  }

  private appsIn(environment: string): FoundApp[] {
    return this.deps.delivery.applications().filter((found) => found.app.namespace === environment);
  }

  private async apply(record: EnvironmentScheduleRecord, decision: PowerDecision): Promise<void> {
    const environment = record.environment;
    const wasAsleep = this.asleep.get(environment);
    const exclusions = new Set(record.exclusions);
    if (decision.state === "asleep") {
      const unchanged = wasAsleep && [...exclusions].sort().join() === [...wasAsleep].sort().join();
      if (unchanged) return;
      if (!wasAsleep) {
        const replicas = this.liveReplicas(environment, exclusions);
        await this.deps.store.schedules.startSleep(environment, replicas, decision.reason, this.deps.clock.now());
        await this.deps.store.events.append({ type: "environment.sleep", subject: `env:${environment}`, payload: { environment, reason: decision.reason, until: decision.until ?? null, replicas } });
      }
      this.asleep.set(environment, exclusions);
    } else {
      if (!wasAsleep) return;
      const open = await this.deps.store.schedules.openSleep(environment);
      if (open) await this.deps.store.schedules.endSleep(open.id, this.deps.clock.now());
      this.asleep.delete(environment);
      const hours = open ? replicaHoursSaved([{ ...open, endedAt: this.deps.clock.now() }], open.startedAt, this.deps.clock.now()) : 0;
      await this.deps.store.events.append({ type: "environment.wake", subject: `env:${environment}`, payload: { environment, reason: decision.reason, replicas: open?.replicas ?? {}, replicaHoursSaved: hours } });
    }
    this.deps.onPower?.(environment, decision.state === "asleep");
    this.deps.events.emit({ type: decision.state === "asleep" ? "environment.sleep" : "environment.wake", environment, reason: decision.reason });
    await this.rescale(environment);
  }

  /** Replicas running now per `app/deployment`: what git asked for, remembered for the record. */
  private liveReplicas(environment: string, exclusions: Set<string>): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const found of this.appsIn(environment)) {
      if (exclusions.has(found.app.name)) continue;
      for (const replica of this.deps.delivery.replicas(found)) counts[`${found.app.name}/${replica.deployment}`] = (counts[`${found.app.name}/${replica.deployment}`] ?? 0) + 1;
    }
    return counts;
  }

  /** Makes every app of the environment apply its adjusted desired state now, without deploying a revision git has not synced. */
  private async rescale(environment: string): Promise<void> {
    await Promise.all(this.appsIn(environment).map(async (found) => {
      const app = found.app;
      const status = app.status();
      try {
        if (app.automated?.selfHeal) await app.reconcile({ kind: "self-heal" });
        else if (status.syncedRevision !== undefined && status.targetRevision === status.syncedRevision) await app.sync("schedule");
        else this.deps.log(`schedules: ${app.name} in ${environment} not rescaled: git is ahead of what runs and self-heal is off`);
      } catch (error) {
        this.deps.log(`schedules: rescaling ${app.name} in ${environment}: ${describeError(error)}`);
      }
    }));
  }
}
