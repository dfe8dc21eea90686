/** One Argo CD Application's reconcile loop: desired at the env repo revision vs live in the runtime, sync in waves, self-heal, safe rollout with automatic rollback, history and deployments recorded. */

import { EventEmitter } from "node:events";
import { SlipwayError, describeError } from "../../core/errors";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import type { Runtime } from "../../runtime/runtime";
import { diffObjects, formatObjectDiff, overallSyncStatus } from "../diff";
import { applicationHealth } from "../health/app-health";
import { isHook, objectRef, refKey } from "../model";
import { planSync } from "../plan";
import { deploymentFacts } from "./deployment-facts";
import { checkDrift } from "./drift-check";
import { destinationNamespace, renderDesired, type DesiredState } from "./desired-state";
import { resolveRevision } from "./git-reader";
import { InFlightSync, SyncInterrupted } from "./interruption";
import type { LiveOptions } from "./live-objects";
import { assertNamespaces } from "./namespace-check";
import { rollBackAutomatically, rollBackByHand, type RollbackHost } from "./rollback";
import { deploymentRecordOf, SyncHistory } from "./sync-history";
import { observeLive } from "./sync-operation";
import { executeSync, type SyncContext } from "./sync-run";
import type { ApplicationControllerOptions } from "./application-options";
import type { AppStatus, ControllerEvents, DeploymentFacts, DeploymentRecord, SyncRecord, SyncTrigger } from "./types";

export type { ApplicationControllerOptions };

const triggerPriority: Record<SyncTrigger["kind"], number> = { resync: 0, "self-heal": 1, push: 2, manual: 3, rollback: 4 };

export class ApplicationController extends EventEmitter<ControllerEvents> implements RollbackHost {
  application: ApplicationManifest;
  readonly runtime: Runtime;
  readonly repoDir: string;
  readonly history: SyncHistory;
  readonly live: LiveOptions;
  /** The last state that ran Healthy: what a rollback restores. */
  lastGood: DesiredState | undefined;
  /** Revisions that failed and were rolled back: automated sync never retries them (a new commit is needed). */
  readonly failedRevisions = new Set<string>();
  readonly state: AppStatus;
  private running: Promise<unknown> = Promise.resolve();
  private queued: { trigger: SyncTrigger; promise: Promise<AppStatus> } | undefined;
  /** The last render, reused while neither the revision nor the Application changed (a resync then costs no git call). */
  private rendered: { key: string; desired: DesiredState } | undefined;
  private readonly knownNamespaces: Set<string>;
  /** What the revision being synced (or running) deploys: fields for events. */
  facts: (DeploymentFacts & { revision: string }) | undefined;
  /** The sync in flight: interrupted when the server stops, superseded when a newer revision is to be synced. */
  private readonly inFlight: InFlightSync;

  constructor(readonly options: ApplicationControllerOptions) {
    super();
    this.application = options.application;
    this.runtime = options.runtime;
    this.repoDir = options.repoDir;
    this.knownNamespaces = options.knownNamespaces ?? new Set();
    this.inFlight = new InFlightSync(options.signal);
    this.live = { app: this.name, annotations: new Map(), hooks: new Set() };
    this.state = { app: this.name, sync: "Unknown", health: "Missing", diff: [], operation: "Idle" };
    this.history = new SyncHistory(this.name, options.history, options.historyLimit ?? 100, (message) => this.emit("history.failed", { app: this.name, message }));
  }

  get name(): string {
    return this.application.metadata.name;
  }

  get automated(): { prune: boolean; selfHeal: boolean } | undefined {
    return this.application.spec.syncPolicy.automated;
  }

  /** The destination namespace, for callers that show or probe the app. */
  get namespace(): string {
    return destinationNamespace(this.application);
  }

  status(): AppStatus {
    return structuredClone(this.state);
  }

  /** Newest first. */
  syncHistory(): SyncRecord[] {
    return this.history.newestFirst();
  }

  /** Compares git with the runtime and syncs when the policy says so; concurrent calls fold into one pending pass. */
  reconcile(trigger: SyncTrigger): Promise<AppStatus> {
    if (trigger.kind === "manual" || this.automated) this.inFlight.supersedeBy(() => this.resolveTarget());
    if (this.queued) {
      if (triggerPriority[trigger.kind] > triggerPriority[this.queued.trigger.kind]) this.queued.trigger = trigger;
      return this.queued.promise;
    }
    const entry: { trigger: SyncTrigger; promise: Promise<AppStatus> } = { trigger, promise: Promise.resolve(this.state) };
    entry.promise = this.running.then(async () => {
      this.queued = undefined;
      if (this.inFlight.stopping) return this.status();
      await this.history.load();
      return this.reconcileOnce(entry.trigger);
    });
    this.queued = entry;
    this.running = entry.promise.catch(() => undefined);
    return entry.promise;
  }

  /** A manual sync: applies git's revision even when automated sync is off or the revision failed before. */
  sync(by?: string): Promise<AppStatus> {
    return this.reconcile({ kind: "manual", by });
  }

  /** Restores an earlier revision (default: the last one that ran Healthy before the current) and commits git back to it. */
  rollback(toRevision?: string, by?: string): Promise<SyncRecord> {
    const work = this.running.then(async () => {
      if (this.inFlight.stopping) throw new SlipwayError("CANCELLED", `slipway is stopping: the rollback of ${this.name} was not started.`);
      await this.history.load();
      const namespaces = this.lastGood?.namespaces ?? [this.namespace];
      this.options.onSyncing?.(namespaces, true);
      try {
        return await rollBackByHand(this, toRevision, by);
      } finally {
        this.options.onSyncing?.(namespaces, false);
      }
    });
    this.running = work.catch(() => undefined);
    return work;
  }

  /** A periodic check between syncs: the diff of the synced revision against live; self-heals it when enabled. */
  observeDrift(): Promise<string[]> {
    return checkDrift(this);
  }

  /** The desired state at `revision`: rendered once per (revision, Application), then adjusted (schedules) on every call. */
  async desiredAt(revision: string): Promise<DesiredState> {
    const key = `${revision}\n${JSON.stringify(this.application.spec)}`;
    if (this.rendered?.key !== key) this.rendered = { key, desired: await renderDesired(this.repoDir, revision, this.application, this.options.reader?.(revision)) };
    const desired = this.rendered.desired;
    // Hook Jobs left from an earlier run (or an earlier process) are hooks, not resources that count for health or prune.
    for (const object of desired.objects) if (isHook(object.kube)) this.live.hooks.add(refKey(objectRef(object.kube)));
    return this.options.adjustDesired ? this.options.adjustDesired(this.application, desired) : desired;
  }

  /** Fails (NOT_FOUND, precise) when the sync would need a namespace it may not create. */
  checkNamespaces(desired: DesiredState): void {
    assertNamespaces(this.application, this.runtime, desired, this.knownNamespaces);
  }

  private async reconcileOnce(trigger: SyncTrigger): Promise<AppStatus> {
    let revision: string;
    try {
      revision = await this.resolveTarget();
    } catch (error) {
      this.state.sync = "Unknown";
      this.state.healthMessage = describeError(error);
      return this.status();
    }
    this.state.targetRevision = revision;
    let desired: DesiredState;
    try {
      desired = await this.desiredAt(revision);
    } catch (error) {
      // Bad manifests fail the sync with git's file:line and leave what runs untouched.
      if (this.shouldSync(trigger, revision, true)) this.recordFailure(revision, trigger, describeError(error));
      this.state.sync = "Unknown";
      return this.status();
    }
    const observe = this.options.observe;
    const live = await observeLive(this.runtime, desired.namespaces, this.live, observe && trigger.kind !== "manual" ? observe : undefined);
    const kube = desired.objects.map((object) => object.kube);
    const diffs = diffObjects(kube, live);
    this.state.sync = overallSyncStatus(diffs);
    this.state.diff = diffs.filter((diff) => diff.status === "OutOfSync").map(formatObjectDiff);
    const health = applicationHealth(kube, live, new Date());
    this.setHealth(health.status, health.resources.find((resource) => resource.status === health.status)?.message);
    const outOfSync = this.state.sync === "OutOfSync" || planSync(kube, live, { prune: this.automated?.prune ?? false }).outOfSync;
    if (this.inFlight.stopping || !this.shouldSync(trigger, revision, outOfSync)) return this.status();
    try {
      this.checkNamespaces(desired);
    } catch (error) {
      this.recordFailure(revision, trigger, describeError(error));
      return this.status();
    }
    await this.runSync(desired, trigger);
    return this.status();
  }

  private resolveTarget(target = this.application.spec.source.targetRevision || "HEAD"): Promise<string> {
    return this.options.resolve ? this.options.resolve(target) : resolveRevision(this.repoDir, target);
  }

  private shouldSync(trigger: SyncTrigger, revision: string, outOfSync: boolean): boolean {
    if (trigger.kind === "manual" || trigger.kind === "rollback") return true;
    const automated = this.automated;
    if (!automated || this.failedRevisions.has(revision)) return false;
    if (revision !== this.state.syncedRevision) return true;
    return outOfSync && automated.selfHeal;
  }

  startRecord(revision: string, trigger: SyncTrigger): SyncRecord {
    const record = this.history.start(revision, trigger);
    this.emit("sync.started", { app: this.name, revision, trigger, record: record.id });
    return record;
  }

  finish(record: SyncRecord, result: SyncRecord["result"], message?: string): void {
    this.history.finish(record, result, message);
    const event = { app: this.name, revision: record.revision, record: structuredClone(record) };
    this.emit(result === "Succeeded" ? "sync.succeeded" : "sync.failed", event);
  }

  private recordFailure(revision: string, trigger: SyncTrigger, message: string): void {
    this.failedRevisions.add(revision);
    this.finish(this.startRecord(revision, trigger), "Failed", message);
  }

  /** Records a deployment outcome and tells listeners (the server turns it into `deployed` / `deploy.failed` events). */
  recordDeployment(record: SyncRecord, facts: DeploymentFacts, result: DeploymentRecord["result"], previousRevision: string | undefined, revision = record.revision): DeploymentRecord {
    const deployment = deploymentRecordOf(record, facts, result, previousRevision, revision);
    this.history.saveDeployment(deployment);
    this.emit("deployment", structuredClone(deployment));
    return deployment;
  }

  setHealth(status: AppStatus["health"], message?: string): void {
    const from = this.state.health;
    this.state.health = status;
    this.state.healthMessage = message;
    if (from !== status) this.emit("health.changed", { app: this.name, from, to: status, message, revision: this.facts?.revision ?? this.state.syncedRevision ?? this.state.targetRevision, facts: this.facts });
  }

  /** `signal`: the server's stop by default (a rollback's restore is never superseded). A wait never hides Degraded (its recovery is an event). */
  syncContext(desired: DesiredState, prune: boolean, signal = this.options.signal): SyncContext {
    const onHealth = (status: AppStatus["health"], message?: string): void => this.setHealth(status, message);
    return { runtime: this.runtime, live: this.live, desired, prune, hookPath: this.options.hookPath, signal, onHealth, onWaiting: (status, message) => void (this.state.health !== "Degraded" && onHealth(status, message)) };
  }

  private async renderQuietly(revision: string): Promise<DesiredState | undefined> {
    const desired = await renderDesired(this.repoDir, revision, this.application, this.options.reader?.(revision)).catch(() => undefined);
    return desired && this.options.adjustDesired ? this.options.adjustDesired(this.application, desired) : desired;
  }

  async factsOf(desired: DesiredState): Promise<DeploymentFacts> {
    return deploymentFacts({ repoDir: this.repoDir, path: this.application.spec.source.path, app: this.name, namespace: this.namespace, desired });
  }

  private async runSync(desired: DesiredState, trigger: SyncTrigger): Promise<void> {
    const namespaces = [...new Set([...desired.namespaces, ...(this.lastGood?.namespaces ?? [])])];
    this.options.onSyncing?.(namespaces, true);
    const record = this.startRecord(desired.revision, trigger);
    const previous = this.history.runningRevision() ?? this.state.syncedRevision;
    const previousFacts = this.facts;
    this.state.operation = "Syncing";
    try {
      const facts = await this.factsOf(desired);
      this.facts = { ...facts, revision: desired.revision };
      const outcome = await executeSync(this.syncContext(desired, this.automated?.prune ?? false, this.inFlight.begin(desired.revision)), record);
      // A deployment: a revision other than what ran, that changed objects (a revert commit of what runs changes none).
      const deploying = desired.revision !== previous && record.applied.length + record.pruned.length > 0;
      if (outcome.ok) {
        this.lastGood = desired;
        this.state.syncedRevision = desired.revision;
        this.state.sync = "Synced";
        this.state.diff = [];
        this.failedRevisions.delete(desired.revision);
        for (const namespace of desired.namespaces) this.knownNamespaces.add(namespace);
        this.finish(record, "Succeeded", outcome.message);
        if (deploying) this.recordDeployment(record, facts, "healthy", previous);
        return;
      }
      // After a restart nothing ran Healthy in this process yet: the history knows what ran before.
      const restoreTo = this.lastGood ?? (previous === undefined ? undefined : await this.renderQuietly(previous));
      if (!outcome.changedRuntime || !restoreTo || restoreTo.revision === desired.revision) {
        this.failedRevisions.add(desired.revision);
        this.finish(record, "Failed", outcome.message);
        if (deploying) this.recordDeployment(record, facts, "failed", previous);
        this.facts = previousFacts ?? this.facts;
        return;
      }
      await rollBackAutomatically(this, desired, restoreTo, record, outcome.message, facts, previous);
      this.facts = previousFacts;
    } catch (error) {
      // Stopped or superseded: no verdict on the revision (no rollback, no failure event); the next reconcile or start carries on.
      if (error instanceof SyncInterrupted) return this.history.finish(record, "Failed", error.message);
      this.failedRevisions.add(desired.revision);
      this.finish(record, "Failed", describeError(error));
    } finally {
      this.inFlight.end();
      this.state.operation = "Idle";
      this.options.onSyncing?.(namespaces, false);
    }
  }

  /** Resolves once no reconcile or rollback is queued or running, and the history sink has every record. */
  async whenIdle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.running) {
      seen = this.running;
      await seen;
    }
    await this.history.flushed();
  }
}
