/** The sync controller's data: triggers, per-app status, sync history records and the events it emits. */

import type { HealthStatus } from "../health/health-status";
import type { SyncStatus } from "../model";

/** `self-heal`: live drifted from git and the app heals itself (selfHeal on). */
export type SyncTriggerKind = "push" | "resync" | "manual" | "self-heal" | "rollback";

export interface SyncTrigger {
  kind: SyncTriggerKind;
  /** The env repo commit a push moved to (the app resolves its own targetRevision either way). */
  sha?: string;
  /** Who asked (manual sync, rollback). */
  by?: string;
}

export type SyncResult = "Succeeded" | "Failed" | "RolledBack";

export interface SyncRecord {
  id: number;
  app: string;
  revision: string;
  trigger: SyncTrigger;
  startedAt: string;
  finishedAt?: string;
  result?: SyncResult;
  message?: string;
  /** What changed: `Deployment dev/web: configured`. */
  applied: string[];
  pruned: string[];
  /** For a rolled-back sync: the revision restored and the env repo's revert commit. */
  rolledBackTo?: string;
  revertCommit?: string;
  /** Milliseconds from the start of the sync to Healthy (or failure). */
  durationMs?: number;
}

export interface AppStatus {
  app: string;
  sync: SyncStatus | "Unknown";
  health: HealthStatus;
  healthMessage?: string;
  /** The revision git holds for the app right now (after the last reconcile). */
  targetRevision?: string;
  /** The revision running, as last synced successfully (or restored by a rollback). */
  syncedRevision?: string;
  /** Field-level differences of the last comparison, one line per object. */
  diff: string[];
  operation: "Idle" | "Syncing" | "RollingBack";
}

export interface SyncStartedEvent {
  app: string;
  revision: string;
  trigger: SyncTrigger;
  record: number;
}

export interface SyncFinishedEvent {
  app: string;
  revision: string;
  record: SyncRecord;
}

export interface HealthChangedEvent {
  app: string;
  from: HealthStatus;
  to: HealthStatus;
  message?: string;
  /** The revision being synced or running, and what it deploys (when known). */
  revision?: string;
  facts?: DeploymentFacts;
}

export interface RollbackEvent {
  app: string;
  failedRevision: string;
  restoredRevision: string;
  reason: string;
  revertCommit?: string;
  /** The deployment this rollback ended (automatic) or made (manual). */
  deployment?: DeploymentRecord;
}

export interface DeployedImage {
  /** The Deployment and container running it. */
  workload: string;
  container: string;
  image: string;
  /** The image tag (`v1.2.0`), when it has one. */
  version?: string;
}

/** What a revision deploys: its images, and the promotion's trailers when the commit carries them. */
export interface DeploymentFacts {
  /** The destination namespace: the environment. */
  namespace: string;
  /** The Slipway-Service trailer, else the (first) Deployment's name, else the app. */
  service: string;
  /** The Slipway-Version trailer, else the service's image tag. */
  version?: string;
  images: DeployedImage[];
  /** The application commit the image was built from (Slipway-Source-Commit). */
  sourceCommit?: string;
  /** The workflow run that promoted (Slipway-Run). */
  runId?: string;
}

export type DeploymentResult = "healthy" | "failed" | "rolled-back";

/** One deployment outcome: a new revision reached the runtime and ended healthy, failed, or rolled back. */
export interface DeploymentRecord extends DeploymentFacts {
  app: string;
  /** The env repo commit deployed. */
  revision: string;
  /** The revision running before, when known. */
  previousRevision?: string;
  /** The sync record (SyncRecord.id) that deployed it. */
  syncId: number;
  trigger: SyncTriggerKind;
  result: DeploymentResult;
  startedAt: string;
  finishedAt: string;
  message?: string;
}

/**
 * Where the controller records its history (the server: the store). Narrow so the controller never imports the store.
 * Writes are awaited in order by the controller, off the sync's critical path; a failing sink never fails a sync.
 */
export interface SyncHistorySink {
  /** Called when a sync starts and again when it finishes (same `id`): an upsert. */
  saveSync(record: SyncRecord): Promise<void>;
  saveDeployment(deployment: DeploymentRecord): Promise<void>;
  /** The app's earlier syncs, newest first: history and record numbering go on after a restart. */
  loadSyncs(app: string, limit: number): Promise<SyncRecord[]>;
}

export interface DriftEvent {
  app: string;
  diff: string[];
}

export interface ControllerEvents {
  "sync.started": [SyncStartedEvent];
  "sync.succeeded": [SyncFinishedEvent];
  "sync.failed": [SyncFinishedEvent];
  "health.changed": [HealthChangedEvent];
  rollback: [RollbackEvent];
  drift: [DriftEvent];
  deployment: [DeploymentRecord];
  /** The history sink failed (the sync itself went on). */
  "history.failed": [{ app: string; message: string }];
}
