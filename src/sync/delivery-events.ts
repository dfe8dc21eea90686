/**
 * The delivery events, in one place. Appended to the event log (subject `app:<name>`) and published on the server
 * events with the same fields; notifications (src/notify) and DORA metrics (src/insight) read them. Names are stable:
 *
 *   sync.succeeded       a sync operation finished Succeeded (any trigger, also "nothing to change")
 *   sync.failed          a sync operation failed; `result` is Failed or RolledBack
 *   app.deployed         a new revision is synced and Healthy: once per revision (a manual rollback's restore too, trigger "rollback")
 *   app.deploy-failed    a new revision reached the runtime, failed, and was not rolled back (no earlier Healthy revision)
 *   rollback             a failed revision was rolled back (automatic), or `slipway rollback` restored an earlier one (trigger "rollback")
 *   app.health.degraded  the app's health turned Degraded
 *   app.health.healthy   a Degraded app is Healthy again (what time-to-restore measures to)
 *
 * Every payload has repo, app, service, version, environment (the destination namespace), commit (the application
 * commit from the promotion's Slipway-Source-Commit trailer, else null), revision (the env repo commit), trigger and
 * message (null when unknown); the other fields of each type are in DeliveryEvent below.
 */

import type { DeploymentFacts, DeploymentRecord, RollbackEvent, SyncRecord } from "./controller/types";

export const deliveryEventTypes = ["sync.succeeded", "sync.failed", "app.deployed", "app.deploy-failed", "rollback", "app.health.degraded", "app.health.healthy"] as const;
export type DeliveryEventType = (typeof deliveryEventTypes)[number];

/** The fields every delivery event carries. */
export type DeliveryEventFields = {
  repo: string;
  app: string;
  service: string;
  version: string | null;
  environment: string;
  commit: string | null;
  revision: string;
  trigger: string | null;
  message: string | null;
};

export type DeliveryEvent =
  | ({ type: "sync.succeeded" | "sync.failed"; result: string; durationMs: number | null; revertCommit: string | null; syncId: number } & DeliveryEventFields)
  | ({ type: "rollback"; failedRevision: string; restoredRevision: string; revertCommit: string | null; reason: string } & DeliveryEventFields)
  | ({ type: "app.deployed" | "app.deploy-failed"; images: string[]; previousRevision: string | null; runId: string | null; syncId: number; startedAt: string; finishedAt: string } & DeliveryEventFields)
  | ({ type: "app.health.degraded"; health: "Degraded" } & DeliveryEventFields)
  | ({ type: "app.health.healthy"; health: "Healthy"; from: "Degraded" } & DeliveryEventFields);

function common(repo: string, app: string, revision: string, facts: DeploymentFacts | undefined, environment: string, trigger: string | null, message: string | null): DeliveryEventFields {
  return {
    repo, app, revision, trigger, message, environment: facts?.namespace ?? environment,
    service: facts?.service ?? app, version: facts?.version ?? null, commit: facts?.sourceCommit ?? null,
  };
}

export function syncEvent(repo: string, record: SyncRecord, facts: DeploymentFacts | undefined, environment: string): DeliveryEvent {
  return {
    type: record.result === "Succeeded" ? "sync.succeeded" : "sync.failed",
    ...common(repo, record.app, record.revision, facts, environment, record.trigger.kind, record.message ?? null),
    result: record.result ?? "Failed", durationMs: record.durationMs ?? null, revertCommit: record.revertCommit ?? null, syncId: record.id,
  };
}

/** `app.deployed` or `app.deploy-failed`; a rolled-back deployment is told by its `rollback` event. */
export function deploymentEvent(repo: string, deployment: DeploymentRecord): DeliveryEvent | undefined {
  if (deployment.result === "rolled-back") return undefined;
  return {
    type: deployment.result === "healthy" ? "app.deployed" : "app.deploy-failed",
    ...common(repo, deployment.app, deployment.revision, deployment, deployment.namespace, deployment.trigger, deployment.message ?? null),
    images: deployment.images.map((image) => image.image),
    previousRevision: deployment.previousRevision ?? null,
    runId: deployment.runId ?? null,
    syncId: deployment.syncId,
    startedAt: deployment.startedAt,
    finishedAt: deployment.finishedAt,
  };
}

/** Automatic: service and version are the failed deployment's; manual: the restored one's. */
export function rollbackEvent(repo: string, event: RollbackEvent, environment: string): DeliveryEvent {
  return {
    type: "rollback",
    ...common(repo, event.app, event.failedRevision, event.deployment, environment, event.deployment?.trigger ?? null, event.reason),
    failedRevision: event.failedRevision, restoredRevision: event.restoredRevision, revertCommit: event.revertCommit ?? null, reason: event.reason,
  };
}

export function degradedEvent(repo: string, event: { app: string; message?: string; revision?: string; facts?: DeploymentFacts }, environment: string): DeliveryEvent {
  return { type: "app.health.degraded", ...common(repo, event.app, event.revision ?? "", event.facts, environment, null, event.message ?? null), health: "Degraded" };
}

export function recoveredEvent(repo: string, event: { app: string; message?: string; revision?: string; facts?: DeploymentFacts }, environment: string): DeliveryEvent {
  return { type: "app.health.healthy", ...common(repo, event.app, event.revision ?? "", event.facts, environment, null, event.message ?? null), health: "Healthy", from: "Degraded" };
}
