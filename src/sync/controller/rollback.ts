/** Rollbacks: automatic (a new revision failed: restore the last Healthy one, revert git) and by hand (`slipway rollback APP [--to REV]`). */

import { describeError } from "../../core/errors";
import { git } from "../../git/git-cli";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import type { DesiredState } from "./desired-state";
import { writeRestoreCommit, writeRevertCommit, type GitIdentity } from "./git-writer";
import { resolveRevision } from "./git-reader";
import { SyncInterrupted } from "./interruption";
import type { SyncHistory } from "./sync-history";
import { executeSync, restoreRevision, type SyncContext } from "./sync-run";
import type { AppStatus, DeploymentFacts, DeploymentRecord, RollbackEvent, SyncRecord, SyncTrigger } from "./types";

/** The ApplicationController as rollbacks see it. */
export interface RollbackHost {
  readonly name: string;
  readonly application: ApplicationManifest;
  readonly repoDir: string;
  readonly options: { identity?: GitIdentity };
  readonly history: SyncHistory;
  readonly state: AppStatus;
  readonly failedRevisions: Set<string>;
  lastGood: DesiredState | undefined;
  facts: (DeploymentFacts & { revision: string }) | undefined;
  startRecord(revision: string, trigger: SyncTrigger): SyncRecord;
  finish(record: SyncRecord, result: SyncRecord["result"], message?: string): void;
  recordDeployment(record: SyncRecord, facts: DeploymentFacts, result: DeploymentRecord["result"], previousRevision: string | undefined, revision?: string): DeploymentRecord;
  syncContext(desired: DesiredState, prune: boolean): SyncContext;
  desiredAt(revision: string): Promise<DesiredState>;
  checkNamespaces(desired: DesiredState): void;
  factsOf(desired: DesiredState): Promise<DeploymentFacts>;
  emit(event: "rollback", payload: RollbackEvent): boolean;
}

function branchOf(application: ApplicationManifest): string {
  const target = application.spec.source.targetRevision;
  return target === "" || target === "HEAD" ? "main" : target;
}

/** Safe rollout: the previous revision comes back (its replicas never stopped serving) and git is reverted to match. */
export async function rollBackAutomatically(host: RollbackHost, failed: DesiredState, previous: DesiredState, record: SyncRecord, reason: string, facts: DeploymentFacts, previousRevision: string | undefined): Promise<void> {
  host.state.operation = "RollingBack";
  host.failedRevisions.add(failed.revision);
  const restored = await restoreRevision(host.syncContext(previous, true), failed);
  record.rolledBackTo = previous.revision;
  let gitMessage = "";
  try {
    const commits = (await git(["rev-list", `${previous.revision}..${failed.revision}`, "--", host.application.spec.source.path], host.repoDir)).split("\n").filter(Boolean);
    const revertCommit = await writeRevertCommit({ repoDir: host.repoDir, branch: branchOf(host.application), identity: host.options.identity }, commits, `${host.name} ${failed.revision.slice(0, 12)} rolled back: ${reason}`);
    if (revertCommit) record.revertCommit = revertCommit;
  } catch (error) {
    gitMessage = `; the env repo could not be reverted: ${describeError(error)}`;
  }
  host.state.syncedRevision = previous.revision;
  // git now holds the revert of what failed: live matches it again (the diff computed before the sync is stale).
  if (restored.ok && record.revertCommit) {
    host.state.targetRevision = record.revertCommit;
    host.state.sync = "Synced";
    host.state.diff = [];
  }
  host.finish(record, "RolledBack", `${reason}; restored ${previous.revision.slice(0, 12)}${restored.ok ? "" : ` (not healthy: ${restored.message})`}${gitMessage}`);
  const deployment = host.recordDeployment(record, facts, "rolled-back", previousRevision);
  host.emit("rollback", { app: host.name, failedRevision: failed.revision, restoredRevision: previous.revision, reason, revertCommit: record.revertCommit, deployment });
}

/** Applies an earlier revision (default: the newest that ran Healthy other than the current), then commits git back to it. */
export async function rollBackByHand(host: RollbackHost, toRevision: string | undefined, by?: string): Promise<SyncRecord> {
  const current = host.state.syncedRevision;
  // An unknown --to revision is the caller's mistake (NOT_FOUND), not a sync to record.
  const target = toRevision
    ? await resolveRevision(host.repoDir, toRevision)
    : host.history.findNewest((entry) => entry.result === "Succeeded" && entry.trigger.kind !== "rollback" && entry.revision !== current)?.revision;
  const record = host.startRecord(target ?? "", { kind: "rollback", by });
  if (target === undefined) {
    host.finish(record, "Failed", "no earlier revision ran Healthy: pass the revision to roll back to");
    return structuredClone(record);
  }
  try {
    const desired = await host.desiredAt(target);
    host.checkNamespaces(desired);
    const facts = await host.factsOf(desired);
    host.state.operation = "RollingBack";
    const outcome = await executeSync(host.syncContext(desired, true), record);
    if (!outcome.ok) {
      host.finish(record, "Failed", outcome.message);
      return structuredClone(record);
    }
    const commit = await writeRestoreCommit({ repoDir: host.repoDir, branch: branchOf(host.application), identity: host.options.identity }, host.application.spec.source.path, target, `Roll back ${host.name} to ${target.slice(0, 12)}\n\nslipway rollback${by ? ` by ${by}` : ""}`);
    if (commit) record.revertCommit = commit;
    const running = commit ?? target;
    host.lastGood = { ...desired, revision: running };
    host.state.syncedRevision = running;
    host.facts = { ...facts, revision: running };
    host.finish(record, "Succeeded", `rolled back to ${target.slice(0, 12)}`);
    const deployment = host.recordDeployment(record, facts, "healthy", current, running);
    host.emit("rollback", { app: host.name, failedRevision: current ?? "", restoredRevision: target, reason: `manual rollback${by ? ` by ${by}` : ""}`, revertCommit: commit, deployment });
  } catch (error) {
    // The server stopped mid-rollback: recorded as interrupted, not as a failed rollback.
    if (error instanceof SyncInterrupted) host.history.finish(record, "Failed", error.message);
    else host.finish(record, "Failed", describeError(error));
  } finally {
    host.state.operation = "Idle";
  }
  return structuredClone(record);
}
