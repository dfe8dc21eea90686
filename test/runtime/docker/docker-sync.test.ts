/** GitOps delivery on the docker runtime: an Application with destination.name docker rolls out under load with 0 failed requests and rolls a broken version back with a revert commit; with no engine its syncs fail with a clear message. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDockerRuntime, type DockerRuntime } from "../../../src/runtime/docker/docker-runtime";
import { SyncController } from "../../../src/sync/controller/sync-controller";
import type { RollbackEvent } from "../../../src/sync/controller/types";
import { application, createEnvRepo, gitIn, webIngress, webService, type EnvRepo } from "../../sync/controller/harness";
import { webDeploymentYaml, yamlFlag } from "../../support/delivery-manifests";
import { startHarness, startLoad, type Harness } from "../support";
import { dockerRunnable, startDockerFixture, type DockerFixture } from "./engine-fixture";

const path = "envs/dev/web";
const dockerApplication = application.replace("name: local", "name: docker");

function webOnDocker(fixture: DockerFixture, version: "v1" | "v2" | "v3", options: { broken?: boolean; deadline?: number } = {}): string {
  return webDeploymentYaml({
    image: fixture.image(version === "v1" ? "v1" : "v2"),
    replicas: 3,
    progressDeadlineSeconds: options.deadline ?? 60,
    terminationGracePeriodSeconds: 2,
    rollingUpdate: "plain",
    command: [fixture.node, fixture.appScript],
    env: { VERSION: version, NEVER_READY: yamlFlag(options.broken) },
    memoryLimit: "128Mi",
    readiness: { failureThreshold: 1 },
  });
}

describe("an Application on the docker runtime with no engine", () => {
  it("fails its sync with the runtime's message and starts nothing", async () => {
    const repo = await createEnvRepo();
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-no-engine-"));
    const runtime = createDockerRuntime({ dataDir, engine: { socketPath: join(dataDir, "missing.sock") } });
    const controller = new SyncController({ repoDir: repo.bare, runtimes: { docker: runtime }, resyncMs: 0 });
    try {
      const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: hello\n`;
      const sha = await repo.push({ "apps/web.yaml": dockerApplication, [`${path}/config.yaml`]: manifest }, "v1");
      await controller.onEnvRepoPush(sha);
      const record = controller.application("web-dev")?.syncHistory()[0];
      expect(record?.result).toBe("Failed");
      expect(record?.message).toMatch(/docker runtime is unavailable: no Docker Engine answers on unix:\/\/.*missing\.sock/);
      expect(runtime.namespaces()).toEqual([]);
    } finally {
      await controller.stop();
      await runtime.close();
      await repo.remove();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!dockerRunnable())("an Application on the docker runtime", () => {
  let fixture: DockerFixture;
  let repo: EnvRepo;
  let harness: Harness;
  let runtime: DockerRuntime;
  let controller: SyncController;
  const rollbacks: RollbackEvent[] = [];
  const app = () => {
    const found = controller.application("web-dev");
    if (!found) throw new Error("web-dev is not loaded");
    return found;
  };
  const push = async (files: Record<string, string>, message: string) => {
    const sha = await repo.push(files, message);
    const started = Date.now();
    const [status] = await controller.onEnvRepoPush(sha);
    console.log(`[docker sync timing] ${message}: push event → ${app().syncHistory()[0]?.result} (${status.health}) in ${Date.now() - started} ms`);
    return sha;
  };

  beforeAll(async () => {
    fixture = await startDockerFixture();
    repo = await createEnvRepo();
    harness = await startHarness({}, (options) => createDockerRuntime({ ...options, engine: { registryAuth: fixture.registryAuth } }));
    runtime = harness.runtime as DockerRuntime;
    controller = new SyncController({ repoDir: repo.bare, runtimes: { docker: runtime }, resyncMs: 0 });
    controller.on("rollback", (event) => rollbacks.push(event));
  }, 300_000);

  afterAll(async () => {
    await controller?.stop();
    const leftovers = await harness?.stop();
    await repo?.remove();
    await fixture?.stop();
    expect(leftovers).toEqual({ leftoverPids: [], listeningPorts: [] });
  }, 120_000);

  it("syncs v1, rolls out v2 under load with 0 failed requests, and rolls a broken v3 back with a revert commit", async () => {
    await push({ "apps/web.yaml": dockerApplication, [`${path}/deployment.yaml`]: webOnDocker(fixture, "v1"), [`${path}/service.yaml`]: webService, [`${path}/ingress.yaml`]: webIngress }, "v1");
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy" });
    const pods = runtime.snapshot("dev").deployments[0].pods;
    expect(pods.every((pod) => pod.containerId && pod.ready)).toBe(true);
    const load = startLoad(`${runtime.ingressUrl("dev")}/`, 8);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const v2 = await push({ [`${path}/deployment.yaml`]: webOnDocker(fixture, "v2") }, "v2");
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: v2 });

    const v3 = await push({ [`${path}/deployment.yaml`]: webOnDocker(fixture, "v3", { broken: true, deadline: 4 }) }, "v3 broken");
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ app: "web-dev", failedRevision: v3, restoredRevision: v2 });
    const head = await repo.head();
    expect(app().syncHistory()[0]).toMatchObject({ revision: v3, result: "RolledBack", revertCommit: head });
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", head)).toContain(`This reverts commit ${v3}`);
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: v2 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await load.stop();
    console.log(`docker GitOps: ${report.requests} requests, ${report.failures} failed, by version ${JSON.stringify(report.versions)}`);
    expect(report.errors).toEqual([]);
    expect(report.failures).toBe(0);
    expect(Object.keys(report.versions).sort()).toEqual(["v1", "v2"]);
    // No stray container: 3 replicas of v2 once the broken one left.
    const owned = async () => (await fixture.docker(["ps", "-q", "--filter", "label=slipway.dev/workload=web", "--filter", "label=slipway.dev/namespace=dev"])).split("\n").filter(Boolean);
    for (let attempt = 0; attempt < 50 && (await owned()).length !== 3; attempt++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await owned()).toHaveLength(3);
  }, 180_000);
});
