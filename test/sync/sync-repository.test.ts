/** The sync history store (migration 005) on SQLite and a real Postgres: syncs upserted at start and finish, deployments once, both listed newest first. */

import { describe, expect, it } from "vitest";
import type { StoreDialect } from "../../src/store/index";
import type { DeploymentRecord, SyncRecord } from "../../src/sync/controller/types";
import { uniqueRepo, useStoreUnderTest } from "../store/store-fixtures";

const dialects: StoreDialect[] = ["sqlite", "postgres"];

function started(id: number, revision: string): SyncRecord {
  return { id, app: "web", revision, trigger: { kind: "push", sha: revision }, startedAt: "2026-11-22T06:00:00.000Z", applied: [], pruned: [] };
}

function deployment(syncId: number, result: DeploymentRecord["result"], overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    app: "web", namespace: "dev", service: "web", version: "1.2.0", images: [{ workload: "web", container: "web", image: "shop/web:1.2.0", version: "1.2.0" }],
    sourceCommit: "c0ffee", revision: `rev-${syncId}`, syncId, trigger: "push", result, startedAt: "2026-11-22T06:00:00.000Z", finishedAt: "2026-11-22T06:00:02.500Z",
    ...overrides,
  };
}

describe.each(dialects)("sync repository on %s", (dialect) => {
  const ctx = useStoreUnderTest(dialect);

  it("stores a sync at start, completes it at finish, and lists an app's syncs newest first", async () => {
    const repo = uniqueRepo("syncs");
    const first = started(1, "aaa");
    await ctx.store.syncs.saveSync(repo, first);
    expect(await ctx.store.syncs.listSyncs({ repo, app: "web" })).toEqual([{ ...first, repo }]);

    const finished: SyncRecord = { ...first, finishedAt: "2026-11-22T06:00:01.250Z", durationMs: 1250, result: "Succeeded", message: "2 applied, 0 pruned", applied: ["Deployment dev/web: created", "Service dev/web: created"] };
    await ctx.store.syncs.saveSync(repo, finished);
    const rolledBack: SyncRecord = { ...started(2, "bbb"), trigger: { kind: "self-heal" }, finishedAt: "2026-11-22T06:01:00.000Z", result: "RolledBack", rolledBackTo: "aaa", revertCommit: "ccc", pruned: ["ConfigMap dev/old: pruned"] };
    await ctx.store.syncs.saveSync(repo, rolledBack);
    await ctx.store.syncs.saveSync(repo, { ...started(1, "zzz"), app: "api" });

    const listed = await ctx.store.syncs.listSyncs({ repo, app: "web" });
    expect(listed).toEqual([{ ...rolledBack, repo }, { ...finished, repo }]);
    expect(await ctx.store.syncs.listSyncs({ repo, app: "web", limit: 1 })).toHaveLength(1);
    expect(await ctx.store.syncs.listSyncs({ repo: uniqueRepo("other"), app: "web" })).toEqual([]);
  });

  it("records a deployment once per sync and filters by app, environment and time", async () => {
    const repo = uniqueRepo("deployments");
    const healthy = deployment(1, "healthy", { previousRevision: "rev-0", runId: "42" });
    await ctx.store.syncs.saveDeployment(repo, healthy);
    await ctx.store.syncs.saveDeployment(repo, { ...healthy, result: "failed" });
    await ctx.store.syncs.saveDeployment(repo, deployment(2, "rolled-back", { version: undefined, sourceCommit: undefined, message: "Deployment dev/web exceeded its progress deadline" }));
    await ctx.store.syncs.saveDeployment(repo, deployment(3, "healthy", { namespace: "prod", finishedAt: "2026-11-23T00:00:00.000Z" }));

    const all = await ctx.store.syncs.listDeployments({ repo });
    expect(all.map((d) => [d.syncId, d.result, d.namespace])).toEqual([[3, "healthy", "prod"], [2, "rolled-back", "dev"], [1, "healthy", "dev"]]);
    const { id: _id, ...first } = all[2];
    expect(first).toEqual({ ...healthy, repo });
    expect(all[1].version).toBeUndefined();
    expect(all[1].message).toMatch(/progress deadline/);
    expect((await ctx.store.syncs.listDeployments({ repo, namespace: "prod" })).map((d) => d.syncId)).toEqual([3]);
    expect((await ctx.store.syncs.listDeployments({ repo, since: Date.parse("2026-11-22T12:00:00Z") })).map((d) => d.syncId)).toEqual([3]);
    expect(await ctx.store.syncs.listDeployments({ repo, app: "api" })).toEqual([]);
  });
});
