/**
 * Self-heal on its own (the controller's periodic drift check, no manual reconcile), one suite on every runtime (host
 * processes, Docker containers): a Deployment scaled or edited by hand shows OutOfSync and is healed, a deleted
 * Deployment comes back, and a SIGKILLed replica is restarted without ever counting as drift.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../src/runtime/local/local-runtime";
import type { DeploymentSpec } from "../../src/runtime/types";
import { SyncController } from "../../src/sync/controller/sync-controller";
import type { DriftEvent } from "../../src/sync/controller/types";
import { runtimeCases, type RuntimeCase } from "../runtime/runtime-cases";
import { httpGet, waitFor, type Harness } from "../runtime/support";
import { webDeploymentYaml, yamlFlag } from "../support/delivery-manifests";
import { application, createEnvRepo, webIngress, webService, type EnvRepo } from "../sync/controller/harness";

const path = "envs/dev/web";

/** The web Deployment on `runtimeCase`'s test app image (VERSION answers, NEVER_READY=1 never gets ready). */
function webDeployment(runtimeCase: RuntimeCase, options: { version: string; broken?: boolean; progressDeadlineSeconds?: number }): string {
  const { image, command } = runtimeCase.app(options.version);
  return webDeploymentYaml({
    image,
    replicas: 3,
    progressDeadlineSeconds: options.progressDeadlineSeconds ?? 60,
    terminationGracePeriodSeconds: 2,
    rollingUpdate: "plain",
    command: command.map((part) => JSON.stringify(part)),
    env: { VERSION: options.version, NEVER_READY: yamlFlag(options.broken) },
    readiness: { failureThreshold: 1 },
  });
}

for (const runtimeCase of runtimeCases) describe.skipIf(!runtimeCase.runnable)(`${runtimeCase.name} runtime: self-heal by the drift check`, () => {
  let repo: EnvRepo;
  let harness: Harness;
  let runtime: LocalRuntime;
  let controller: SyncController;
  const drifts: DriftEvent[] = [];

  const app = () => {
    const found = controller.application("web-dev");
    if (!found) throw new Error("web-dev is not loaded");
    return found;
  };
  const deployment = () => runtime.snapshot("dev").deployments.find((candidate) => candidate.name === "web");
  const served = async (): Promise<string> => (await httpGet(`${runtime.ingressUrl("dev") ?? ""}/`, { timeoutMs: 5_000 })).body.split(" ")[0] ?? "";
  /** Waits for a drift event naming `pattern`, then for the app to be Synced and Healthy with 3 ready replicas again. */
  const healed = async (pattern: RegExp): Promise<string> => {
    const drift = await waitFor(`a drift event matching ${pattern}`, () => drifts.find((event) => event.diff.some((line) => pattern.test(line))), 20_000);
    await waitFor("Synced and Healthy with 3 ready replicas", () => {
      const status = app().status();
      const live = deployment();
      return status.sync === "Synced" && status.health === "Healthy" && status.operation === "Idle" && live?.complete && live.readyReplicas === 3 && live.pods.length === 3;
    }, 30_000);
    return drift.diff.join("\n");
  };

  beforeAll(async () => {
    await runtimeCase.prepare();
    repo = await createEnvRepo();
    harness = await runtimeCase.start();
    runtime = harness.runtime;
    controller = new SyncController({ repoDir: repo.bare, runtimes: { [runtimeCase.name]: runtime }, resyncMs: 0, driftCheckMs: 300 });
    controller.on("drift", (event) => drifts.push(event));
    const sha = await repo.push({
      "apps/web.yaml": application.replace("name: local", `name: ${runtimeCase.name}`),
      [`${path}/deployment.yaml`]: webDeployment(runtimeCase, { version: "v1" }),
      [`${path}/service.yaml`]: webService,
      [`${path}/ingress.yaml`]: webIngress,
    }, "web v1");
    await controller.onEnvRepoPush(sha);
    await controller.start();
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: sha });
  }, 300_000);

  afterAll(async () => {
    await controller?.stop();
    const leftovers = await harness?.stop();
    await repo?.remove();
    await runtimeCase.release();
    expect(leftovers).toEqual({ leftoverPids: [], listeningPorts: [] });
  }, 120_000);

  it("scales a Deployment scaled by hand back to git's replicas", async () => {
    drifts.length = 0;
    const spec = deployment()?.spec as DeploymentSpec;
    await runtime.apply("dev", [{ ...spec, replicas: 5 }]);
    const diff = await healed(/spec\.replicas/);
    expect(diff).toMatch(/Deployment dev\/web: OutOfSync\n {2}spec\.replicas: 5 → 3/);
    const record = app().syncHistory()[0];
    expect(record?.result).toBe("Succeeded");
    expect(["drift", "self-heal"]).toContain(record?.trigger.kind);
  });

  it("rolls a Deployment whose env was edited by hand back to git's template", async () => {
    drifts.length = 0;
    const spec = deployment()?.spec as DeploymentSpec;
    const container = spec.template.containers[0];
    const edited = { ...container, env: (container.env ?? []).map((variable) => (variable.name === "VERSION" ? { ...variable, value: "hacked" } : variable)) };
    await runtime.apply("dev", [{ ...spec, template: { ...spec.template, containers: [edited] } }]);
    await waitFor("the hand-edited template to be served", async () => (await served()) === "hacked", 20_000).catch(() => undefined);
    const diff = await healed(/VERSION|env/);
    expect(diff).toMatch(/Deployment dev\/web: OutOfSync/);
    await waitFor("only v1 replicas", () => deployment()?.pods.every((pod) => pod.revision === deployment()?.templateHash), 20_000);
    expect(await served()).toBe("v1");
  });

  it("restores a deleted Deployment", async () => {
    drifts.length = 0;
    await runtime.delete("dev", { kind: "Deployment", name: "web" });
    const diff = await healed(/missing from the runtime/);
    expect(diff).toMatch(/Deployment dev\/web: OutOfSync \(missing from the runtime\)/);
    expect(await served()).toBe("v1");
  });

  it("restarts a SIGKILLed replica, which is no drift", async () => {
    drifts.length = 0;
    const [victim] = deployment()?.pods ?? [];
    if (!victim?.pid) throw new Error("no replica to kill");
    process.kill(victim.pid, "SIGKILL");
    const back = await waitFor("the replica restarted and ready", () => deployment()?.pods.find((pod) => pod.name === victim.name && pod.ready && pod.restarts === victim.restarts + 1), 20_000);
    expect(back.pid).not.toBe(victim.pid);
    expect(back.lastExit).toMatchObject({ signal: "SIGKILL" });
    // Several drift checks later: nothing to heal.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(drifts).toEqual([]);
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy" });
  });

  it("ends Synced on the revert commit when drift checks ran during a rollout that was rolled back", async () => {
    drifts.length = 0;
    const v3 = await repo.push({ [`${path}/deployment.yaml`]: webDeployment(runtimeCase, { version: "v3", broken: true, progressDeadlineSeconds: 2 }) }, "web v3 (broken)");
    await controller.onEnvRepoPush(v3);
    await app().whenIdle();
    // The drift checks saw the v3 template (live) differ from v2 (the last good) and queued a self-heal behind the rollout.
    expect(drifts.length).toBeGreaterThan(0);
    const head = await repo.head();
    expect(head).not.toBe(v3);
    expect(app().syncHistory().find((record) => record.revision === v3)).toMatchObject({ result: "RolledBack", revertCommit: head });
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", targetRevision: head, diff: [] });
    expect(await served()).toBe("v1");
  });
});
