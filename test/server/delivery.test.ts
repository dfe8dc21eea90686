/** GitOps delivery through a real server: env repo push → Healthy through the ingress, v2 rollout, broken v3 rolled back with a revert commit, `slipway ps`, no replica left after close. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventRecord } from "../../src/store";
import type { AppSummary, ReplicaView, ResourceView } from "../../src/server/services/delivery";
import type { SyncRecord } from "../../src/sync/controller/types";
import { assertBuilt, parseJson, slipway } from "../support/cli";
import { startTestServer, waitUntil, type TestServer, type TestUser, type WorkingCopy } from "../support/server";
import { application, webDeployment, webIngress, webService } from "../sync/controller/harness";
import { freeLoopbackPort as freePort } from "../../src/runtime/local/ports";

type AppDetails = AppSummary & { resources: ResourceView[]; history: SyncRecord[] };

const webApp = application.replace("name: web-dev", "name: web");
const dir = "envs/dev/web";


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("delivery: env repo on the server", () => {
  let t: TestServer;
  let dev: TestUser;
  let viewer: TestUser;
  let work: WorkingCopy;
  let ingress: string;
  let stopped = false;
  const shas: Record<string, string> = {};

  const details = async (): Promise<AppDetails> => {
    const response = await dev.api<AppDetails>("GET", "/apps/web");
    if (response.status !== 200) throw new Error(`GET /apps/web: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const healthyAt = (sha: string) =>
    waitUntil(`web Healthy at ${sha.slice(0, 7)}`, async () => {
      const app = await details().catch(() => undefined);
      return app && app.health === "Healthy" && app.syncedRevision === sha && app.operation === "Idle" ? app : undefined;
    }, 60_000, 100);
  const version = async (): Promise<string> => (await (await fetch(`${ingress}/`)).text()).split(" ")[0];
  const push = async (label: string, files: Record<string, string>): Promise<string> => {
    await work.ok("pull", "-q", "--ff-only", "origin", "main").catch(() => undefined);
    const sha = await work.commit(label, files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    return sha;
  };

  beforeAll(async () => {
    assertBuilt();
    const port = await freePort();
    ingress = `http://127.0.0.1:${port}`;
    t = await startTestServer({ delivery: { ingressPorts: { dev: port }, resyncMs: 0, driftCheckMs: 0 } });
    dev = await t.createUser("dev");
    viewer = await t.createUser("viewer");
    await t.createRepo("acme/deploy", { members: { dev: "developer", viewer: "viewer" } });
    work = await t.workingCopy("acme/deploy", dev.token);
  }, 60_000);

  afterAll(async () => {
    if (!stopped) await t?.stop();
  });

  it("syncs a pushed env repo to Healthy and serves it through the ingress", async () => {
    shas.v1 = await push("web v1", {
      "apps/web.yaml": webApp,
      [`${dir}/deployment.yaml`]: webDeployment({ version: "v1", replicas: 2 }),
      [`${dir}/service.yaml`]: webService,
      [`${dir}/ingress.yaml`]: webIngress,
    });
    const app = await healthyAt(shas.v1);
    expect(app).toMatchObject({ name: "web", repo: "acme/deploy", namespace: "dev", runtime: "local", sync: "Synced", ingressUrl: ingress });
    expect(app.resources.map((r) => `${r.kind}/${r.name}:${r.health}`).sort()).toEqual(["Deployment/web:Healthy", "Ingress/web:Healthy", "Service/web:Healthy"]);
    expect(app.history[0]).toMatchObject({ result: "Succeeded", revision: shas.v1, trigger: { kind: "push" } });
    expect(await version()).toBe("v1");
    const list = await viewer.api<AppSummary[]>("GET", "/apps");
    expect(list.body.map((a) => [a.name, a.health])).toEqual([["web", "Healthy"]]);
    expect((await t.apiWith(null)("GET", "/apps/web")).status).toBe(401);
  }, 90_000);

  it("rolls out a new VERSION on push", async () => {
    shas.v2 = await push("web v2", { [`${dir}/deployment.yaml`]: webDeployment({ version: "v2", replicas: 2 }) });
    await healthyAt(shas.v2);
    expect(await version()).toBe("v2");
  }, 90_000);

  it("rolls a broken v3 back, reverts git and records it in the event log", async () => {
    shas.v3 = await push("web v3 (broken)", { [`${dir}/deployment.yaml`]: webDeployment({ version: "v3", replicas: 2, broken: true, progressDeadlineSeconds: 4 }) });
    const record = await waitUntil("the rollback", async () => (await details()).history.find((r) => r.revision === shas.v3 && r.result === "RolledBack"), 60_000, 200);
    expect(record.rolledBackTo).toBe(shas.v2);
    expect(record.revertCommit).toMatch(/^[0-9a-f]{40}$/);
    const app = await details();
    expect(app).toMatchObject({ health: "Healthy", syncedRevision: shas.v2 });
    expect(await version()).toBe("v2");

    await work.ok("fetch", "-q", "origin", "main");
    expect(await work.ok("rev-parse", "origin/main")).toBe(record.revertCommit);
    expect(await work.ok("rev-parse", "origin/main^")).toBe(shas.v3);
    expect(await work.ok("log", "-1", "--format=%s", "origin/main")).toMatch(/^Revert "web v3 \(broken\)"/);
    expect(await work.ok("diff", shas.v2, "origin/main", "--", dir)).toBe("");

    const events = await t.server.context.store.events.list({ subject: "app:web" });
    const types = events.map((e: EventRecord) => e.type);
    expect(types).toContain("sync.failed");
    expect(types).toContain("rollback");
    expect(events.find((e) => e.type === "rollback")?.payload).toMatchObject({ repo: "acme/deploy", failedRevision: shas.v3, restoredRevision: shas.v2, revertCommit: record.revertCommit });
  }, 90_000);

  it("checks roles: a viewer reads but cannot sync; a developer syncs and `slipway sync` reports it", async () => {
    expect((await viewer.api("GET", "/apps/web/replicas")).status).toBe(200);
    expect((await viewer.api("POST", "/apps/web/sync")).status).toBe(403);
    expect((await viewer.api("POST", "/apps/web/rollback", {})).status).toBe(403);
    expect((await dev.api("GET", "/apps/nope")).status).toBe(404);
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: dev.token };
    const synced = await slipway(["sync", "web", "--json"], t.root, env);
    expect(synced.code, synced.stderr).toBe(0);
    expect(parseJson<AppSummary>(synced)).toMatchObject({ name: "web", health: "Healthy" });
    const apps = await slipway(["apps", "--json"], t.root, env);
    expect(parseJson<AppSummary[]>(apps).map((a) => a.name)).toEqual(["web"]);
  }, 90_000);

  it("`slipway ps --json` lists every replica; the server's close leaves none running", async () => {
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: dev.token };
    const result = await slipway(["ps", "-n", "dev", "--json"], t.root, env);
    expect(result.code, result.stderr).toBe(0);
    const replicas = parseJson<ReplicaView[]>(result);
    expect(replicas).toHaveLength(2);
    for (const replica of replicas) {
      expect(replica).toMatchObject({ app: "web", namespace: "dev", deployment: "web", image: "example/web:v2", ready: true });
      expect(replica.pid).toBeGreaterThan(0);
      expect(replica.port).toBeGreaterThan(0);
      expect(replica.revision).not.toBe("");
    }
    expect((await slipway(["ps", "-n", "prod", "--json"], t.root, env)).stdout.trim()).toBe("[]");
    const table = await slipway(["ps", "-n", "dev"], t.root, env);
    for (const replica of replicas) expect(table.stdout).toContain(String(replica.pid));
    const pids = replicas.map((replica) => replica.pid ?? 0);
    expect(pids.every(alive)).toBe(true);
    stopped = true;
    await t.stop();
    expect(pids.filter(alive)).toEqual([]);
  }, 90_000);
});
