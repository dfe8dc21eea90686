/** Delivery records through a real server: sync history and deployments in the store (API, `slipway apps history`), delivery events with their fields in the event log and on the server events, and history kept across a restart. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoteCommitMessage } from "../../src/gitops/promote-message";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { startServer, type RunningServer } from "../../src/server/up";
import type { ServerEvent } from "../../src/server/services/server-events";
import type { StoredDeployment } from "../../src/store";
import type { SyncRecord } from "../../src/sync/controller/types";
import { assertBuilt, parseJson, slipway, slipwayBin } from "../support/cli";
import { hookJobYaml } from "../support/delivery-manifests";
import { apiCaller, startTestServer, waitUntil, type TestServer, type TestUser, type WorkingCopy } from "../support/server";
import { application, webDeployment, webIngress, webService } from "../sync/controller/harness";

const webApp = application.replace("name: web-dev", "name: web");
const dir = "envs/dev/web";
const sourceCommit = "0123456789abcdef0123456789abcdef01234567";

describe("delivery: sync history, deployments and delivery events on the server", () => {
  let t: TestServer;
  let dev: TestUser;
  let work: WorkingCopy;
  let restarted: RunningServer | undefined;
  const published: ServerEvent[] = [];
  const shas: Record<string, string> = {};
  let delivery: { ingressPorts: Record<string, number>; resyncMs: number; driftCheckMs: number; slipwayCommand: string[] };

  const syncs = async (api = dev.api): Promise<SyncRecord[]> => {
    const response = await api<SyncRecord[]>("GET", "/apps/web/syncs");
    if (response.status !== 200) throw new Error(`GET /apps/web/syncs: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const push = async (message: string, files: Record<string, string>): Promise<string> => {
    await work.ok("pull", "-q", "--ff-only", "origin", "main").catch(() => undefined);
    const sha = await work.commit(message, files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    return sha;
  };
  const promotion = (version: string) => promoteCommitMessage({ service: "web", version, env: "dev", newImage: `example/web:v${version}`, sourceCommit, runId: "12", actor: "dev" });

  beforeAll(async () => {
    assertBuilt();
    delivery = { ingressPorts: { dev: await freeLoopbackPort() }, resyncMs: 0, driftCheckMs: 0, slipwayCommand: [process.execPath, slipwayBin] };
    t = await startTestServer({ delivery });
    t.server.context.events.subscribe((event) => published.push(event));
    dev = await t.createUser("dev");
    await t.createRepo("acme/deploy", { members: { dev: "developer" } });
    work = await t.workingCopy("acme/deploy", dev.token);
  }, 60_000);

  afterAll(async () => {
    await restarted?.close();
    await t?.stop();
  });

  it("records the sync and the deployment, and publishes app.deployed with service, version, environment, commit and revision", async () => {
    shas.v1 = await push(promotion("1.0.0"), {
      "apps/web.yaml": webApp,
      [`${dir}/deployment.yaml`]: webDeployment({ version: "v1", replicas: 1 }),
      [`${dir}/service.yaml`]: webService,
      [`${dir}/ingress.yaml`]: webIngress,
    });
    const [record] = await waitUntil("the first sync", async () => {
      const found = (await syncs().catch(() => [])).filter((r) => r.result === "Succeeded" && r.revision === shas.v1);
      return found.length > 0 ? found : undefined;
    }, 60_000, 100);
    expect(record).toMatchObject({ app: "web", trigger: { kind: "push" }, applied: expect.arrayContaining(["Deployment dev/web: created"]) });
    const fields = { repo: "acme/deploy", app: "web", service: "web", version: "1.0.0", environment: "dev", commit: sourceCommit, revision: shas.v1 };
    const deployed = await waitUntil("app.deployed", async () => published.find((event) => event.type === "app.deployed"), 10_000);
    expect(deployed).toMatchObject({ ...fields, trigger: "push", images: ["example/web:v1"] });
    const deployments = (await dev.api<StoredDeployment[]>("GET", "/apps/web/deployments")).body;
    expect(deployments).toMatchObject([{ repo: "acme/deploy", app: "web", service: "web", version: "1.0.0", revision: shas.v1, result: "healthy", sourceCommit, namespace: "dev", runId: "12", trigger: "push" }]);
    await waitUntil("the event log", async () => (await t.server.context.store.events.list({ subject: "app:web", types: ["app.deployed"] })).length === 1 || undefined, 10_000);
    const [logged] = await t.server.context.store.events.list({ subject: "app:web", types: ["app.deployed"] });
    expect(logged.payload).toMatchObject(fields);
  }, 90_000);

  it("records a rollback: sync.failed (RolledBack), rollback and app.health.degraded events carry the failed version", async () => {
    shas.v2 = await push(promotion("2.0.0"), { [`${dir}/deployment.yaml`]: webDeployment({ version: "v2", replicas: 1, broken: true, progressDeadlineSeconds: 3 }) });
    const record = await waitUntil("the rollback", async () => (await syncs()).find((r) => r.revision === shas.v2 && r.result === "RolledBack"), 60_000, 200);
    expect(record.rolledBackTo).toBe(shas.v1);
    const fields = { repo: "acme/deploy", app: "web", service: "web", version: "2.0.0", environment: "dev", commit: sourceCommit, revision: shas.v2 };
    const types = ["sync.failed", "rollback", "app.health.degraded"];
    const logged = await waitUntil("the events", async () => {
      const events = await t.server.context.store.events.list({ subject: "app:web", types });
      return types.every((type) => events.some((event) => event.type === type)) ? events : undefined;
    }, 10_000);
    expect(logged.find((event) => event.type === "rollback")?.payload).toMatchObject({ ...fields, failedRevision: shas.v2, restoredRevision: shas.v1, revertCommit: record.revertCommit });
    expect(logged.find((event) => event.type === "sync.failed")?.payload).toMatchObject({ ...fields, result: "RolledBack" });
    expect(logged.find((event) => event.type === "app.health.degraded")?.payload).toMatchObject({ ...fields, health: "Degraded" });
    expect(published.filter((event) => types.includes(event.type)).map((event) => event.type).sort()).toEqual([...types].sort());
    const deployments = (await dev.api<StoredDeployment[]>("GET", "/apps/web/deployments")).body;
    expect(deployments.map((d) => [d.version, d.result])).toEqual([["2.0.0", "rolled-back"], ["1.0.0", "healthy"]]);
  }, 90_000);

  it("rolls back when its PostSync hook Job runs `slipway smoke-test` (the server's shim on PATH) and it fails", async () => {
    const url = `http://127.0.0.1:${delivery.ingressPorts.dev}/`;
    const hook = hookJobYaml({ name: "smoke", phase: "PostSync", image: "slipway/cli:latest", command: ["slipway", "smoke-test", "--url", `"${url}"`, "--body", "v9", "--retries", '"1"', "--interval", "100ms"] });
    shas.v3 = await push(promotion("3.0.0"), { [`${dir}/deployment.yaml`]: webDeployment({ version: "v3", replicas: 1 }), [`${dir}/ingress.yaml`]: webIngress, [`${dir}/smoke.yaml`]: hook });
    const record = await waitUntil("the smoke-test rollback", async () => (await syncs()).find((r) => r.revision === shas.v3 && r.finishedAt), 60_000, 200);
    expect(record).toMatchObject({ result: "RolledBack", rolledBackTo: shas.v1 });
    expect(record.message).toMatch(/^PostSync hook Job dev\/smoke failed/);
    expect((await fetch(url).then((response) => response.text())).split(" ")[0]).toBe("v1");
  }, 90_000);

  it("`slipway apps history web` shows the syncs, as a table and as JSON", async () => {
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: dev.token };
    const json = await slipway(["apps", "history", "web", "--json"], t.root, env);
    expect(json.code, json.stderr).toBe(0);
    expect(parseJson<SyncRecord[]>(json)).toEqual(await syncs());
    const table = await slipway(["apps", "history", "web", "--limit", "5"], t.root, env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/ID\s+STARTED \(UTC\)\s+TRIGGER\s+REVISION\s+RESULT\s+DURATION\s+MESSAGE/);
    expect(table.stdout).toContain(`${shas.v3.slice(0, 7)}  `);
    expect(table.stdout).toMatch(/RolledBack .*restored/);
    const missing = await slipway(["apps", "history", "nope"], t.root, env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no Application named nope");
    expect((await slipway(["apps", "history", "web", "--limit", "0"], t.root, env)).code).toBe(2);
  }, 60_000);

  it("keeps the sync history across a server restart", async () => {
    const before = await syncs();
    await t.server.close();
    restarted = await startServer({ dataDir: t.dataDir, port: 0, log: () => undefined, delivery });
    const api = apiCaller(restarted.url, dev.token);
    const after = await waitUntil("the history after the restart", async () => {
      const response = await api<SyncRecord[]>("GET", "/apps/web/syncs");
      return response.status === 200 && response.body.length > before.length ? response.body : undefined;
    }, 60_000, 200);
    expect(after.slice(after.length - before.length)).toEqual(before);
    expect(after[0].id).toBeGreaterThan(before[0].id);
  }, 90_000);
});
