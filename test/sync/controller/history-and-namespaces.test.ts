/**
 * The controller's records in a real SQLite store (through the server's history sink), CreateNamespace, and a
 * PostSync hook Job that runs the real `slipway smoke-test` (the shim on its PATH): failing, it rolls back and
 * reverts git. A second controller on the same store (a restart) carries the history on, and rolls a revision pushed
 * while it was down back to what the history says ran.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoteCommitMessage } from "../../../src/gitops/promote-message";
import { freeLoopbackPort } from "../../../src/runtime/local/ports";
import { storeHistorySink, writeSlipwayShim } from "../../../src/server/services/delivery-records";
import { openStore, type Store } from "../../../src/store";
import { SyncController } from "../../../src/sync/controller/sync-controller";
import type { DeploymentRecord, HealthChangedEvent } from "../../../src/sync/controller/types";
import { assertBuilt, slipwayBin } from "../../support/cli";
import { hookJobYaml } from "../../support/delivery-manifests";
import { httpGet, startHarness, type Harness } from "../../runtime/support";
import { application, createEnvRepo, gitIn, webDeployment, webIngress, webService, type EnvRepo } from "./harness";

const path = "envs/dev/web";
const repoName = "acme/deploy";
const qaApp = application.replace("name: web-dev", "name: web-qa").replace("path: envs/dev/web", "path: envs/qa/web").replace("namespace: dev", "namespace: qa").replace(/ {4}syncOptions:\n {6}- CreateNamespace=true\n/, "");

function smokeHook(url: string, body: string): string {
  return hookJobYaml({
    name: "smoke",
    phase: "PostSync",
    deletePolicy: "BeforeHookCreation",
    image: "slipway/cli:latest",
    command: ["slipway", "smoke-test", "--url", `"${url}"`, "--body", `"${body}"`, "--retries", '"2"', "--interval", "200ms", "--timeout", "10s"],
  });
}

describe("sync controller: history in the store, deployments, CreateNamespace, slipway smoke-test as a PostSync hook", () => {
  let root: string;
  let repo: EnvRepo;
  let harness: Harness;
  let store: Store;
  let controller: SyncController;
  let ingress: string;
  const deployments: DeploymentRecord[] = [];
  const degraded: HealthChangedEvent[] = [];

  const start = async (): Promise<SyncController> => {
    const hookPath = writeSlipwayShim(root, [process.execPath, slipwayBin]);
    const created = new SyncController({ repoDir: repo.bare, runtimes: { local: harness.runtime }, resyncMs: 0, history: storeHistorySink(store, repoName), hookPath });
    created.on("deployment", (deployment) => deployments.push(deployment));
    created.on("health.changed", (event) => event.to === "Degraded" && degraded.push(event));
    return created;
  };
  const app = (name = "web-dev") => {
    const found = controller.application(name);
    if (!found) throw new Error(`${name} is not loaded`);
    return found;
  };
  const deploy = async (message: string, files: Record<string, string | null>): Promise<string> => {
    const sha = await repo.push(files, message);
    await controller.onEnvRepoPush(sha);
    await Promise.all(controller.applications().map((each) => each.whenIdle()));
    return sha;
  };
  const version = async (): Promise<string> => (await httpGet(`${ingress}/`, { timeoutMs: 5_000 })).body.split(" ")[0];

  beforeAll(async () => {
    assertBuilt();
    root = await mkdtemp(join(tmpdir(), "slipway-sync-history-"));
    repo = await createEnvRepo();
    const port = await freeLoopbackPort();
    ingress = `http://127.0.0.1:${port}`;
    harness = await startHarness({ ingressPorts: { dev: port } });
    store = await openStore({ dialect: "sqlite", path: join(root, "slipway.db") });
    controller = await start();
  });

  afterAll(async () => {
    await controller?.stop();
    const leftovers = await harness?.stop();
    await store?.close();
    await repo?.remove();
    await rm(root, { recursive: true, force: true });
    expect(leftovers).toEqual({ leftoverPids: [], listeningPorts: [] });
  });

  it("fails a sync into a namespace that does not exist, naming it, and changes nothing", async () => {
    await deploy("qa without a namespace", {
      "apps/qa.yaml": qaApp,
      "envs/qa/web/deployment.yaml": webDeployment({ version: "q1", replicas: 1 }),
      "envs/qa/web/service.yaml": webService,
    });
    const [record] = app("web-qa").syncHistory();
    expect(record.result).toBe("Failed");
    expect(record.message).toBe('namespace "qa" does not exist in runtime local (needed by Deployment web (envs/qa/web/deployment.yaml:1)): add "CreateNamespace=true" to spec.syncPolicy.syncOptions of Application web-qa, or a Namespace manifest named qa; nothing was applied');
    expect(harness.runtime.namespaces()).not.toContain("qa");
    expect((await store.syncs.listSyncs({ repo: repoName, app: "web-qa" }))[0]).toMatchObject({ result: "Failed", message: record.message });
  });

  it("syncs once the manifests declare the Namespace", async () => {
    await deploy("qa namespace", { "envs/qa/web/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: qa\n" });
    expect(app("web-qa").status()).toMatchObject({ sync: "Synced", health: "Healthy" });
    expect(harness.runtime.snapshot("qa").deployments[0]?.readyReplicas).toBe(1);
    await deploy("qa removed", { "apps/qa.yaml": null, "envs/qa/web/deployment.yaml": null, "envs/qa/web/service.yaml": null, "envs/qa/web/namespace.yaml": null });
    for (const kind of ["Deployment", "Service"] as const) await harness.runtime.delete("qa", { kind, name: "web" });
  });

  it("lets an app use a namespace a sibling app of the same env repo may create (CreateNamespace=true)", async () => {
    const creator = qaApp.replace("name: web-qa", "name: shared-a").replace("path: envs/qa/web", "path: envs/shared/a").replace("namespace: qa", "namespace: shared").replace("      selfHeal: true\n", "      selfHeal: true\n    syncOptions:\n      - CreateNamespace=true\n");
    const user = qaApp.replace("name: web-qa", "name: shared-b").replace("path: envs/qa/web", "path: envs/shared/b").replace("namespace: qa", "namespace: shared");
    const config = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  greeting: hello\n`;
    await deploy("two apps in one namespace", { "apps/shared-a.yaml": creator, "apps/shared-b.yaml": user, "envs/shared/a/config.yaml": config("a"), "envs/shared/b/config.yaml": config("b") });
    expect(app("shared-b").syncHistory()[0]).toMatchObject({ result: "Succeeded" });
    expect(harness.runtime.snapshot("shared").configMaps.map((c) => c.name).sort()).toEqual(["a", "b"]);
    await deploy("shared apps removed", { "apps/shared-a.yaml": null, "apps/shared-b.yaml": null, "envs/shared/a/config.yaml": null, "envs/shared/b/config.yaml": null });
    for (const name of ["a", "b"]) await harness.runtime.delete("shared", { kind: "ConfigMap", name });
  });

  it("records a deployment with service, version and source commit from the promotion commit", async () => {
    const message = promoteCommitMessage({ service: "web", version: "1.0.0", env: "dev", newImage: "example/web:v1", sourceCommit: "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", runId: "7", actor: "mona" });
    const v1 = await deploy(message, {
      "apps/web.yaml": application,
      [`${path}/deployment.yaml`]: webDeployment({ version: "v1", replicas: 1 }),
      [`${path}/service.yaml`]: webService,
      [`${path}/ingress.yaml`]: webIngress,
      [`${path}/smoke.yaml`]: smokeHook(`${ingress}/`, "v1"),
    });
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: v1 });
    expect(harness.runtime.snapshot("dev").jobs.find((job) => job.name === "smoke")?.succeeded).toBe(1);
    const [stored] = await store.syncs.listDeployments({ repo: repoName, app: "web-dev" });
    expect(stored).toMatchObject({
      app: "web-dev", namespace: "dev", revision: v1, result: "healthy", trigger: "push", service: "web", version: "1.0.0",
      sourceCommit: "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", runId: "7", images: [{ workload: "web", container: "web", image: "example/web:v1", version: "v1" }],
    });
    expect(deployments.at(-1)).toMatchObject({ revision: v1, result: "healthy" });
  });

  it("rolls back when `slipway smoke-test` fails as a PostSync hook: previous revision restored, git reverted, recorded", async () => {
    const v1 = await repo.head();
    const v2 = await deploy("web v2 whose smoke test expects v9", {
      [`${path}/deployment.yaml`]: webDeployment({ version: "v2", replicas: 1 }),
      [`${path}/smoke.yaml`]: smokeHook(`${ingress}/`, "v9"),
    });
    const [record] = app().syncHistory();
    expect(record).toMatchObject({ revision: v2, result: "RolledBack", rolledBackTo: v1 });
    expect(record.message).toMatch(/^PostSync hook Job dev\/smoke failed/);
    const head = await repo.head();
    expect(record.revertCommit).toBe(head);
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", head)).toContain(`This reverts commit ${v2}`);
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: v1 });
    expect(await version()).toBe("v1");
    const [stored] = await store.syncs.listSyncs({ repo: repoName, app: "web-dev" });
    expect(stored).toMatchObject({ id: record.id, result: "RolledBack", rolledBackTo: v1, revertCommit: head });
    const [deployment] = await store.syncs.listDeployments({ repo: repoName, app: "web-dev" });
    expect(deployment).toMatchObject({ revision: v2, previousRevision: v1, result: "rolled-back", version: "v2" });
    const logs: string[] = [];
    for await (const line of harness.runtime.logs("dev", { kind: "Job", name: "smoke" })) logs.push(line.line);
    expect(logs.join("\n")).toContain("the body does not contain \"v9\"");
  }, 60_000);

  it("goes on after a restart: history reloaded from the store, numbering continued, no deployment recorded again", async () => {
    await controller.stop();
    const before = app().syncHistory();
    const countBefore = (await store.syncs.listDeployments({ repo: repoName })).length;
    controller = await start();
    await controller.start();
    await Promise.all(controller.applications().map((each) => each.whenIdle()));
    const after = app().syncHistory();
    expect(after.slice(after.length - before.length).map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    expect(Math.max(...after.map((r) => r.id))).toBeGreaterThanOrEqual(Math.max(...before.map((r) => r.id)));
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy" });
    expect((await store.syncs.listDeployments({ repo: repoName })).length).toBe(countBefore);
    const head = await repo.head();
    await deploy("web v3", { [`${path}/deployment.yaml`]: webDeployment({ version: "v3", replicas: 1 }), [`${path}/smoke.yaml`]: smokeHook(`${ingress}/`, "v3") });
    expect(app().syncHistory()[0]).toMatchObject({ id: Math.max(...after.map((r) => r.id)) + 1, result: "Succeeded" });
    expect((await store.syncs.listDeployments({ repo: repoName, app: "web-dev" }))[0]).toMatchObject({ result: "healthy", version: "v3", previousRevision: head });
    expect(degraded).toEqual([]);
  }, 60_000);

  it("rolls a broken revision found at a restart back to what the history says ran, and reverts git", async () => {
    await controller.stop();
    const v3 = await repo.head();
    const v4 = await repo.push({ [`${path}/deployment.yaml`]: webDeployment({ version: "v4", replicas: 1, broken: true, progressDeadlineSeconds: 3 }) }, "web v4 (broken), pushed while slipway was down");
    controller = await start();
    await controller.start();
    await Promise.all(controller.applications().map((each) => each.whenIdle()));
    expect(app().syncHistory()[0]).toMatchObject({ revision: v4, result: "RolledBack", rolledBackTo: v3 });
    const head = await repo.head();
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", head)).toContain(`This reverts commit ${v4}`);
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: v3 });
    expect(await version()).toBe("v3");
  }, 60_000);
});
