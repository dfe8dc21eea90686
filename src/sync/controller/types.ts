/** The sync controller's data: triggers, per-app status, sync history records and the events it emits. */

import type { HealthStatus } from "../health/health-status";
import type { SyncStatus } from "../model";

export type SyncTriggerKind = "push" | "resync" | "manual" | "drift" | "rollback";

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
}

export interface RollbackEvent {
  app: string;
  failedRevision: string;
  restoredRevision: string;
  reason: string;
  revertCommit?: string;
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
}
