/** One Argo CD Application's reconcile loop: desired at the env repo revision vs live in the runtime, sync in waves, self-heal, safe rollout with automatic rollback. */

import { EventEmitter } from "node:events";
import { describeError } from "../../core/errors";
import { git } from "../../git/git-cli";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import type { Runtime } from "../../runtime/runtime";
import { diffObjects, formatObjectDiff, overallSyncStatus } from "../diff";
import { applicationHealth } from "../health/app-health";
import { planSync } from "../plan";
import { destinationNamespace, renderDesired, type DesiredState } from "./desired-state";
import { resolveRevision } from "./git-reader";
import { writeRestoreCommit, writeRevertCommit, type GitIdentity } from "./git-writer";
import type { LiveOptions } from "./live-objects";
import { observeLive } from "./sync-operation";
import { executeSync, restoreRevision } from "./sync-run";
import type { AppStatus, ControllerEvents, SyncRecord, SyncTrigger } from "./types";

export interface ApplicationControllerOptions {
  application: ApplicationManifest;
  runtime: Runtime;
  /** The environment repo the Application's source points at (the server resolves repoURL to it). */
  repoDir: string;
  identity?: GitIdentity;
  /** Sync records kept in memory. Default 100. */
  historyLimit?: number;
}

const triggerPriority: Record<SyncTrigger["kind"], number> = { resync: 0, drift: 1, push: 2, manual: 3, rollback: 4 };

export class ApplicationController extends EventEmitter<ControllerEvents> {
  application: ApplicationManifest;
  private readonly runtime: Runtime;
  private readonly repoDir: string;
  private readonly history: SyncRecord[] = [];
  private nextRecord = 1;
  private readonly live: LiveOptions;
  /** The last state that ran Healthy: what a rollback restores. */
  private lastGood: DesiredState | undefined;
  /** Revisions that failed and were rolled back: automated sync never retries them (a new commit is needed). */
  private readonly failedRevisions = new Set<string>();
  private state: AppStatus;
  private running: Promise<unknown> = Promise.resolve();
  private queued: { trigger: SyncTrigger; promise: Promise<AppStatus> } | undefined;

  constructor(private readonly options: ApplicationControllerOptions) {
    super();
    this.application = options.application;
    this.runtime = options.runtime;
    this.repoDir = options.repoDir;
    this.live = { app: this.name, annotations: new Map(), hooks: new Set() };
    this.state = { app: this.name, sync: "Unknown", health: "Missing", diff: [], operation: "Idle" };
  }

  get name(): string {
    return this.application.metadata.name;
  }

  get automated(): { prune: boolean; selfHeal: boolean } | undefined {
    return this.application.spec.syncPolicy.automated;
  }

  status(): AppStatus {
    return structuredClone(this.state);
  }

  /** Newest first. */
  syncHistory(): SyncRecord[] {
    return structuredClone([...this.history].reverse());
  }

  /** Compares git with the runtime and syncs when the policy says so; concurrent calls fold into one pending pass. */
  reconcile(trigger: SyncTrigger): Promise<AppStatus> {
    if (this.queued) {
      if (triggerPriority[trigger.kind] > triggerPriority[this.queued.trigger.kind]) this.queued.trigger = trigger;
      return this.queued.promise;
    }
    const entry: { trigger: SyncTrigger; promise: Promise<AppStatus> } = { trigger, promise: Promise.resolve(this.state) };
    entry.promise = this.running.then(() => {
      this.queued = undefined;
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
    const work = this.running.then(() => this.manualRollback(toRevision, by));
    this.running = work.catch(() => undefined);
    return work;
  }

  /** A periodic check between syncs: the diff of the synced revision against live; self-heals it when enabled. */
  async observeDrift(): Promise<string[]> {
    const desired = this.lastGood;
    if (!desired) return [];
    const live = await observeLive(this.runtime, desired.namespaces, this.live);
    const diffs = diffObjects(desired.objects.map((object) => object.kube), live).filter((diff) => diff.status === "OutOfSync");
    const lines = diffs.map(formatObjectDiff);
    if (lines.length === 0) return lines;
    this.state.sync = "OutOfSync";
    this.state.diff = lines;
    this.emit("drift", { app: this.name, diff: lines });
    if (this.automated?.selfHeal) void this.reconcile({ kind: "drift" }).catch(() => undefined);
    return lines;
  }

  private branch(): string {
    const target = this.application.spec.source.targetRevision;
    return target === "" || target === "HEAD" ? "main" : target;
  }

  private async reconcileOnce(trigger: SyncTrigger): Promise<AppStatus> {
    let revision: string;
    try {
      revision = await resolveRevision(this.repoDir, this.application.spec.source.targetRevision || "HEAD");
    } catch (error) {
      this.state.sync = "Unknown";
      this.state.healthMessage = describeError(error);
      return this.status();
    }
    this.state.targetRevision = revision;
    let desired: DesiredState;
    try {
      desired = await renderDesired(this.repoDir, revision, this.application);
    } catch (error) {
      // Bad manifests fail the sync with git's file:line and leave what runs untouched.
      if (this.shouldSync(trigger, revision, true)) this.recordFailure(revision, trigger, describeError(error));
      this.state.sync = "Unknown";
      return this.status();
    }
    const live = await observeLive(this.runtime, desired.namespaces, this.live);
    const plan = planSync(desired.objects.map((object) => object.kube), live, { prune: this.automated?.prune ?? false });
    const diffs = diffObjects(desired.objects.map((object) => object.kube), live);
    this.state.sync = overallSyncStatus(diffs);
    this.state.diff = diffs.filter((diff) => diff.status === "OutOfSync").map(formatObjectDiff);
    this.updateHealth(desired, live);
    if (!this.shouldSync(trigger, revision, plan.outOfSync)) return this.status();
    await this.runSync(desired, trigger);
    return this.status();
  }

  private shouldSync(trigger: SyncTrigger, revision: string, outOfSync: boolean): boolean {
    if (trigger.kind === "manual" || trigger.kind === "rollback") return true;
    const automated = this.automated;
    if (!automated || this.failedRevisions.has(revision)) return false;
    if (revision !== this.state.syncedRevision) return true;
    return outOfSync && automated.selfHeal;
  }

  private startRecord(revision: string, trigger: SyncTrigger): SyncRecord {
    const record: SyncRecord = { id: this.nextRecord++, app: this.name, revision, trigger, startedAt: new Date().toISOString(), applied: [], pruned: [] };
    this.history.push(record);
    if (this.history.length > (this.options.historyLimit ?? 100)) this.history.shift();
    this.emit("sync.started", { app: this.name, revision, trigger, record: record.id });
    return record;
  }

  private finish(record: SyncRecord, result: SyncRecord["result"], message?: string): void {
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    record.result = result;
    if (message !== undefined) record.message = message;
    const event = { app: this.name, revision: record.revision, record: structuredClone(record) };
    if (result === "Succeeded") this.emit("sync.succeeded", event);
    else this.emit("sync.failed", event);
  }

  private recordFailure(revision: string, trigger: SyncTrigger, message: string): void {
    this.failedRevisions.add(revision);
    this.finish(this.startRecord(revision, trigger), "Failed", message);
  }

  private setHealth(status: AppStatus["health"], message?: string): void {
    const from = this.state.health;
    this.state.health = status;
    this.state.healthMessage = message;
    if (from !== status) this.emit("health.changed", { app: this.name, from, to: status, message });
  }

  private updateHealth(desired: DesiredState, live: Awaited<ReturnType<typeof observeLive>>): void {
    const health = applicationHealth(desired.objects.map((object) => object.kube), live, new Date());
    const worst = health.resources.find((resource) => resource.status === health.status);
    this.setHealth(health.status, worst?.message);
  }

  private async runSync(desired: DesiredState, trigger: SyncTrigger): Promise<void> {
    const record = this.startRecord(desired.revision, trigger);
    this.state.operation = "Syncing";
    try {
      const outcome = await executeSync({ runtime: this.runtime, live: this.live, desired, prune: this.automated?.prune ?? false, onHealth: (status, message) => this.setHealth(status, message) }, record);
      if (outcome.ok) {
        this.lastGood = desired;
        this.state.syncedRevision = desired.revision;
        this.state.sync = "Synced";
        this.state.diff = [];
        this.failedRevisions.delete(desired.revision);
        this.finish(record, "Succeeded", outcome.message);
        return;
      }
      if (!outcome.changedRuntime || !this.lastGood || this.lastGood.revision === desired.revision) {
        this.failedRevisions.add(desired.revision);
        this.finish(record, "Failed", outcome.message);
        return;
      }
      await this.autoRollback(desired, this.lastGood, record, outcome.message);
    } catch (error) {
      this.failedRevisions.add(desired.revision);
      this.finish(record, "Failed", describeError(error));
    } finally {
      this.state.operation = "Idle";
    }
  }

  /** Safe rollout: the previous revision comes back (its replicas never stopped serving) and git is reverted to match. */
  private async autoRollback(failed: DesiredState, previous: DesiredState, record: SyncRecord, reason: string): Promise<void> {
    this.state.operation = "RollingBack";
    this.failedRevisions.add(failed.revision);
    const restored = await restoreRevision({ runtime: this.runtime, live: this.live, desired: previous, prune: true, onHealth: (status, message) => this.setHealth(status, message) }, failed);
    record.rolledBackTo = previous.revision;
    let revertCommit: string | undefined;
    let gitMessage = "";
    try {
      const commits = (await git(["rev-list", `${previous.revision}..${failed.revision}`, "--", this.application.spec.source.path], this.repoDir)).split("\n").filter(Boolean);
      revertCommit = await writeRevertCommit({ repoDir: this.repoDir, branch: this.branch(), identity: this.options.identity }, commits, `${this.name} ${failed.revision.slice(0, 12)} rolled back: ${reason}`);
      record.revertCommit = revertCommit;
    } catch (error) {
      gitMessage = `; the env repo could not be reverted: ${describeError(error)}`;
    }
    this.state.syncedRevision = previous.revision;
    this.finish(record, "RolledBack", `${reason}; restored ${previous.revision.slice(0, 12)}${restored.ok ? "" : ` (not healthy: ${restored.message})`}${gitMessage}`);
    this.emit("rollback", { app: this.name, failedRevision: failed.revision, restoredRevision: previous.revision, reason, revertCommit });
  }

  private async manualRollback(toRevision: string | undefined, by?: string): Promise<SyncRecord> {
    const current = this.state.syncedRevision;
    const target = toRevision
      ? await resolveRevision(this.repoDir, toRevision)
      : [...this.history].reverse().find((entry) => entry.result === "Succeeded" && entry.revision !== current)?.revision;
    const record = this.startRecord(target ?? "", { kind: "rollback", by });
    if (target === undefined) {
      this.finish(record, "Failed", "no earlier revision ran Healthy: pass the revision to roll back to");
      return structuredClone(record);
    }
    try {
      const desired = await renderDesired(this.repoDir, target, this.application);
      this.state.operation = "RollingBack";
      const outcome = await executeSync({ runtime: this.runtime, live: this.live, desired, prune: true, onHealth: (status, message) => this.setHealth(status, message) }, record);
      if (!outcome.ok) {
        this.finish(record, "Failed", outcome.message);
        return structuredClone(record);
      }
      const path = this.application.spec.source.path;
      const commit = await writeRestoreCommit({ repoDir: this.repoDir, branch: this.branch(), identity: this.options.identity }, path, target, `Roll back ${this.name} to ${target.slice(0, 12)}\n\nslipway rollback${by ? ` by ${by}` : ""}`);
      if (commit) record.revertCommit = commit;
      this.lastGood = { ...desired, revision: commit ?? target };
      this.state.syncedRevision = commit ?? target;
      this.finish(record, "Succeeded", `rolled back to ${target.slice(0, 12)}`);
      this.emit("rollback", { app: this.name, failedRevision: current ?? "", restoredRevision: target, reason: `manual rollback${by ? ` by ${by}` : ""}`, revertCommit: commit });
    } catch (error) {
      this.finish(record, "Failed", describeError(error));
    } finally {
      this.state.operation = "Idle";
    }
    return structuredClone(record);
  }

  /** Resolves once no reconcile or rollback is queued or running. */
  async whenIdle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.running) {
      seen = this.running;
      await seen;
    }
  }

  /** The destination namespace, for callers that show or probe the app. */
  get namespace(): string {
    return destinationNamespace(this.application);
  }
}
