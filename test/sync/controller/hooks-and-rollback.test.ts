/** PostSync smoke-test hooks (a failing one rolls back and reverts git), manual rollback with a restore commit, and an app without automated sync. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyncController } from "../../../src/sync/controller/sync-controller";
import type { RollbackEvent } from "../../../src/sync/controller/types";
import { hookJobYaml } from "../../support/delivery-manifests";
import { httpGet, startHarness, type Harness } from "../../runtime/support";
import { application, createEnvRepo, gitIn, smokeScript, webDeployment, webIngress, webService, type EnvRepo } from "./harness";
import { freeLoopbackPort as freePort } from "../../../src/runtime/local/ports";

const path = "envs/dev/web";


function smokeHook(url: string, expect: string): string {
  return hookJobYaml({
    name: "smoke",
    phase: "PostSync",
    image: "example/smoke:1",
    command: [JSON.stringify(process.execPath), JSON.stringify(smokeScript)],
    env: { URL: `"${url}"`, EXPECT: `"${expect}"` },
  });
}

const manualApp = application.replace("name: web-dev", "name: web-manual").replace("path: envs/dev/web", "path: envs/manual/web").replace("namespace: dev", "namespace: manual").replace(/ {2}syncPolicy:\n(?: {4}.*\n)+/, "  syncPolicy:\n    syncOptions:\n      - CreateNamespace=true\n");

describe("sync controller: hooks, manual rollback, manual policy", () => {
  let repo: EnvRepo;
  let harness: Harness;
  let controller: SyncController;
  let url: string;
  const rollbacks: RollbackEvent[] = [];

  const app = (name = "web-dev") => {
    const found = controller.application(name);
    if (!found) throw new Error(`${name} is not loaded`);
    return found;
  };
  const version = async (): Promise<string> => (await httpGet(`${url}/`, { timeoutMs: 5_000 })).body.split(" ")[0];
  const deploy = async (label: string, files: Record<string, string>): Promise<string> => {
    const sha = await repo.push(files, label);
    await controller.onEnvRepoPush(sha);
    return sha;
  };

  beforeAll(async () => {
    repo = await createEnvRepo();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    harness = await startHarness({ ingressPorts: { dev: port } });
    controller = new SyncController({ repoDir: repo.bare, runtimes: { local: harness.runtime }, resyncMs: 0 });
    controller.on("rollback", (event) => rollbacks.push(event));
  });

  afterAll(async () => {
    await controller?.stop();
    const leftovers = await harness.stop();
    await repo?.remove();
    expect(leftovers).toEqual({ leftoverPids: [], listeningPorts: [] });
  });

  it("runs a PostSync smoke test after the app is Healthy", async () => {
    const v1 = await deploy("v1", {
      "apps/web.yaml": application,
      [`${path}/deployment.yaml`]: webDeployment({ version: "v1", replicas: 2 }),
      [`${path}/service.yaml`]: webService,
      [`${path}/ingress.yaml`]: webIngress,
      [`${path}/smoke.yaml`]: smokeHook(`${url}/`, "v1"),
    });
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: v1 });
    const job = harness.runtime.snapshot("dev").jobs.find((candidate) => candidate.name === "smoke");
    expect(job?.succeeded).toBe(1);
    expect(await version()).toBe("v1");
  });

  it("rolls back when the PostSync smoke test fails, and reverts git", async () => {
    const v1 = await repo.head();
    const v2 = await deploy("v2 with a failing smoke test", {
      [`${path}/deployment.yaml`]: webDeployment({ version: "v2", replicas: 2 }),
      [`${path}/smoke.yaml`]: smokeHook(`${url}/`, "v9"),
    });
    expect(rollbacks.at(-1)).toMatchObject({ failedRevision: v2, restoredRevision: v1 });
    expect(rollbacks.at(-1)?.reason).toMatch(/PostSync hook Job dev\/smoke failed/);
    const head = await repo.head();
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", head)).toContain(`This reverts commit ${v2}`);
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: v1 });
    expect(await version()).toBe("v1");
  });

  it("rolls back by hand to the previous Healthy revision and commits git back to it", async () => {
    const good = await deploy("v2 good", {
      [`${path}/deployment.yaml`]: webDeployment({ version: "v2", replicas: 2 }),
      [`${path}/smoke.yaml`]: smokeHook(`${url}/`, "v2"),
    });
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: good });
    expect(await version()).toBe("v2");
    const record = await controller.rollback("web-dev", undefined, "mona");
    expect(record).toMatchObject({ result: "Succeeded", trigger: { kind: "rollback", by: "mona" } });
    expect(await version()).toBe("v1");
    const head = await repo.head();
    expect(record.revertCommit).toBe(head);
    expect(await gitIn(repo.bare, "show", `${head}:${path}/deployment.yaml`)).toContain("value: v1");
    // The restore commit's push event changes nothing.
    await controller.onEnvRepoPush(head);
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: head });
    expect(await version()).toBe("v1");
  });

  it("only reports OutOfSync for an app without automated sync, until synced by hand", async () => {
    await deploy("manual app", {
      "apps/manual.yaml": manualApp,
      "envs/manual/web/deployment.yaml": webDeployment({ version: "m1", replicas: 1 }),
      "envs/manual/web/service.yaml": webService,
    });
    expect(app("web-manual").status()).toMatchObject({ sync: "OutOfSync", health: "Missing" });
    expect(harness.runtime.snapshot("manual").deployments).toEqual([]);
    const status = await controller.sync("web-manual", "mona");
    expect(status).toMatchObject({ sync: "Synced", health: "Healthy" });
    expect(harness.runtime.snapshot("manual").deployments[0].readyReplicas).toBe(1);
  });
});
