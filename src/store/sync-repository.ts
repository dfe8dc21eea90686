/** Sync history and deployment outcomes of Applications (migration 005): syncs upserted at start and finish, deployments recorded once. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import type { DeploymentRecord, SyncRecord, SyncTriggerKind } from "../sync/controller/types";
import type { Database, DeploymentsTable, SyncOperationsTable } from "./schema";
import { parseJsonText, storeOperation, toJsonText } from "./store-operation";

/** A stored sync: the controller's record and the env repo (`owner/name`) it belongs to. */
export type StoredSync = SyncRecord & { repo: string };
export type StoredDeployment = DeploymentRecord & { repo: string; id: number };

export interface DeploymentQuery {
  repo?: string;
  app?: string;
  /** The environment. */
  namespace?: string;
  /** Only deployments finished at or after (epoch ms). */
  since?: number;
  /** Default 100. */
  limit?: number;
}

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(Number(ms)).toISOString());
const epoch = (text: string | undefined): number | null => (text === undefined ? null : Date.parse(text));
const triggerKinds: readonly SyncTriggerKind[] = ["push", "resync", "manual", "self-heal", "rollback"];
const results: readonly NonNullable<SyncRecord["result"]>[] = ["Succeeded", "Failed", "RolledBack"];
const deploymentResults: readonly DeploymentRecord["result"][] = ["healthy", "failed", "rolled-back"];

function triggerKind(value: string): SyncTriggerKind {
  // "drift" is how earlier builds named self-heal.
  return triggerKinds.find((kind) => kind === value) ?? (value === "drift" ? "self-heal" : "resync");
}

function toSync(row: Selectable<SyncOperationsTable>): StoredSync {
  const record: StoredSync = {
    repo: row.repo,
    id: Number(row.seq),
    app: row.app,
    revision: row.revision,
    trigger: { kind: triggerKind(row.trigger), ...(row.trigger_sha ? { sha: row.trigger_sha } : {}), ...(row.triggered_by ? { by: row.triggered_by } : {}) },
    startedAt: iso(row.started_at) ?? "",
    applied: parseJsonText<string[]>(row.applied_json, []),
    pruned: parseJsonText<string[]>(row.pruned_json, []),
  };
  const finishedAt = iso(row.finished_at);
  if (finishedAt !== undefined) record.finishedAt = finishedAt;
  const result = results.find((candidate) => candidate === row.result);
  if (result !== undefined) record.result = result;
  if (row.message !== null) record.message = row.message;
  if (row.rolled_back_to !== null) record.rolledBackTo = row.rolled_back_to;
  if (row.revert_commit !== null) record.revertCommit = row.revert_commit;
  if (row.duration_ms !== null) record.durationMs = Number(row.duration_ms);
  return record;
}

function toDeployment(row: Selectable<DeploymentsTable>): StoredDeployment {
  const deployment: StoredDeployment = {
    id: Number(row.id),
    repo: row.repo,
    app: row.app,
    namespace: row.namespace,
    revision: row.revision,
    syncId: Number(row.sync_seq),
    trigger: triggerKind(row.trigger),
    result: deploymentResults.find((candidate) => candidate === row.result) ?? "failed",
    service: row.service,
    images: parseJsonText<DeploymentRecord["images"]>(row.images_json, []),
    startedAt: iso(row.started_at) ?? "",
    finishedAt: iso(row.finished_at) ?? "",
  };
  if (row.previous_revision !== null) deployment.previousRevision = row.previous_revision;
  if (row.version !== null) deployment.version = row.version;
  if (row.source_commit !== null) deployment.sourceCommit = row.source_commit;
  if (row.run_id !== null) deployment.runId = row.run_id;
  if (row.message !== null) deployment.message = row.message;
  return deployment;
}

export class SyncRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Inserts the sync, or updates it when (repo, app, id) is stored already: called at start and at finish. */
  saveSync(repo: string, record: SyncRecord): Promise<void> {
    return storeOperation("saveSync", async () => {
      const values = {
        revision: record.revision,
        trigger: record.trigger.kind,
        triggered_by: record.trigger.by ?? null,
        trigger_sha: record.trigger.sha ?? null,
        started_at: epoch(record.startedAt) ?? this.clock.now(),
        finished_at: epoch(record.finishedAt),
        result: record.result ?? null,
        message: record.message ?? null,
        applied_json: toJsonText(record.applied),
        pruned_json: toJsonText(record.pruned),
        rolled_back_to: record.rolledBackTo ?? null,
        revert_commit: record.revertCommit ?? null,
        duration_ms: record.durationMs ?? null,
      };
      await this.db
        .insertInto("sync_operations")
        .values({ repo, app: record.app, seq: record.id, ...values })
        .onConflict((c) => c.columns(["repo", "app", "seq"]).doUpdateSet(values))
        .execute();
    });
  }

  /** Newest first. */
  listSyncs(query: { repo: string; app: string; limit?: number }): Promise<StoredSync[]> {
    return storeOperation("listSyncs", async () => {
      const rows = await this.db.selectFrom("sync_operations").selectAll()
        .where("repo", "=", query.repo).where("app", "=", query.app)
        .orderBy("seq", "desc").limit(query.limit ?? 100).execute();
      return rows.map(toSync);
    });
  }

  /** Records a deployment once per (repo, app, sync): recording it again is a no-op. */
  saveDeployment(repo: string, deployment: DeploymentRecord): Promise<void> {
    return storeOperation("saveDeployment", async () => {
      await this.db
        .insertInto("deployments")
        .values({
          repo, app: deployment.app, namespace: deployment.namespace, sync_seq: deployment.syncId, revision: deployment.revision,
          previous_revision: deployment.previousRevision ?? null, trigger: deployment.trigger, result: deployment.result,
          service: deployment.service, version: deployment.version ?? null, images_json: toJsonText(deployment.images),
          source_commit: deployment.sourceCommit ?? null, run_id: deployment.runId ?? null, message: deployment.message ?? null,
          started_at: epoch(deployment.startedAt) ?? this.clock.now(), finished_at: epoch(deployment.finishedAt) ?? this.clock.now(),
        })
        .onConflict((c) => c.columns(["repo", "app", "sync_seq"]).doNothing())
        .execute();
    });
  }

  /** Newest first. */
  listDeployments(query: DeploymentQuery = {}): Promise<StoredDeployment[]> {
    return storeOperation("listDeployments", async () => {
      let select = this.db.selectFrom("deployments").selectAll();
      if (query.repo !== undefined) select = select.where("repo", "=", query.repo);
      if (query.app !== undefined) select = select.where("app", "=", query.app);
      if (query.namespace !== undefined) select = select.where("namespace", "=", query.namespace);
      if (query.since !== undefined) select = select.where("finished_at", ">=", query.since);
      const rows = await select.orderBy("id", "desc").limit(query.limit ?? 100).execute();
      return rows.map(toDeployment);
    });
  }
}
