/** The sync controller end to end: a real env repo (git CLI), the real local runtime, 3 replicas; sync, rollout, automatic rollback with a revert commit, bad manifests, self-heal. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../../src/runtime/local/local-runtime";
import { SyncController } from "../../../src/sync/controller/sync-controller";
import type { RollbackEvent, SyncFinishedEvent } from "../../../src/sync/controller/types";
import { httpGet, startHarness, type Harness } from "../../runtime/support";
import { application, createEnvRepo, gitIn, waitUntil, webDeployment, webIngress, webService, type EnvRepo } from "./harness";

const path = "envs/dev/web";

describe("sync controller on the local runtime", () => {
  let repo: EnvRepo;
  let runtime: LocalRuntime;
  let harness: Harness;
  let controller: SyncController;
  const failed: SyncFinishedEvent[] = [];
  const rollbacks: RollbackEvent[] = [];
  const timings: string[] = [];

  const app = () => {
    const found = controller.application("web-dev");
    if (!found) throw new Error("web-dev is not loaded");
    return found;
  };
  const fetchVersion = async (): Promise<string> => {
    const url = runtime.ingressUrl("dev");
    if (!url) throw new Error("dev has no ingress");
    return (await httpGet(`${url}/`, { timeoutMs: 5_000 })).body.split(" ")[0];
  };
  const liveVersions = (): string[] =>
    runtime.snapshot("dev").deployments.flatMap((deployment) => deployment.spec.template.containers[0].env?.filter((env) => env.name === "VERSION").map((env) => env.value ?? "") ?? []);
  /** Pushes, tells the controller (as the server's push event would), and measures push → Healthy. */
  const pushAndSync = async (label: string, files: Record<string, string | null>): Promise<string> => {
    const started = Date.now();
    const sha = await repo.push(files, label);
    const pushed = Date.now();
    const [status] = await controller.onEnvRepoPush(sha);
    const line = `${label}: git push ${pushed - started} ms, push event → sync done (${app().syncHistory()[0]?.result}, ${status.health}) ${Date.now() - pushed} ms`;
    timings.push(line);
    console.log(`[sync timing] ${line}`);
    return sha;
  };

  beforeAll(async () => {
    repo = await createEnvRepo();
    harness = await startHarness();
    runtime = harness.runtime;
    controller = new SyncController({ repoDir: repo.bare, runtimes: { local: runtime }, resyncMs: 0 });
    controller.on("sync.failed", (event) => failed.push(event));
    controller.on("rollback", (event) => rollbacks.push(event));
  });

  afterAll(async () => {
    await controller?.stop();
    const leftovers = await harness.stop();
    await repo?.remove();
    console.log(`[sync timing] summary:\n  ${timings.join("\n  ")}`);
    expect(leftovers).toEqual({ leftoverPids: [], listeningPorts: [] });
  });

  it("(a) syncs the initial revision to Healthy, reachable through the ingress", async () => {
    await pushAndSync("v1", {
      "apps/web.yaml": application,
      [`${path}/deployment.yaml`]: webDeployment({ version: "v1" }),
      [`${path}/service.yaml`]: webService,
      [`${path}/ingress.yaml`]: webIngress,
    });
    const status = app().status();
    expect(status).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: await repo.head() });
    expect(await fetchVersion()).toBe("v1");
    const deployment = runtime.snapshot("dev").deployments[0];
    expect(deployment.readyReplicas).toBe(3);
    expect(app().syncHistory()[0]).toMatchObject({ result: "Succeeded", trigger: { kind: "push" } });
  });

  it("(b) rolls out v2 when the env repo moves", async () => {
    const sha = await pushAndSync("v2", { [`${path}/deployment.yaml`]: webDeployment({ version: "v2" }) });
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: sha });
    expect(await fetchVersion()).toBe("v2");
    expect(liveVersions()).toEqual(["v2"]);
    const pods = runtime.snapshot("dev").deployments[0].pods;
    expect(pods.filter((pod) => pod.ready)).toHaveLength(3);
    expect(app().syncHistory()[0].applied).toContain("Deployment dev/web: configured");
  });

  it("(c) rolls a broken v3 back to v2 and writes a revert commit", async () => {
    const v2 = await repo.head();
    const v3 = await pushAndSync("v3 broken", { [`${path}/deployment.yaml`]: webDeployment({ version: "v3", broken: true, progressDeadlineSeconds: 5 }) });
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]).toMatchObject({ app: "web-dev", failedRevision: v3, restoredRevision: v2 });
    const record = app().syncHistory()[0];
    expect(record).toMatchObject({ revision: v3, result: "RolledBack", rolledBackTo: v2 });
    expect(record.message).toMatch(/progress deadline/);
    // git matches what runs: HEAD is the revert of v3.
    const head = await repo.head();
    expect(record.revertCommit).toBe(head);
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", head)).toContain(`This reverts commit ${v3}`);
    expect(await gitIn(repo.bare, "show", `${head}:${path}/deployment.yaml`)).toBe(await gitIn(repo.bare, "show", `${v2}:${path}/deployment.yaml`));
    expect(app().status()).toMatchObject({ health: "Healthy", syncedRevision: v2 });
    expect(await fetchVersion()).toBe("v2");
    await waitUntil("the v3 replica to leave", async () => runtime.snapshot("dev").deployments[0].pods.length === 3);
    expect(liveVersions()).toEqual(["v2"]);
    // The revert commit's push event: nothing to change, Synced on it.
    await controller.onEnvRepoPush(head);
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: head });
  });

  it("(d) fails bad manifests with file:line and leaves v2 running", async () => {
    const before = failed.length;
    const pods = runtime.snapshot("dev").deployments[0].pods.map((pod) => pod.name).sort();
    const missingImage = webDeployment({ version: "v4" }).replace(/ {10}image: .*\n/, "");
    await repo.push({ [`${path}/deployment.yaml`]: missingImage, [`${path}/cron.yaml`]: "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\n" }, "bad manifests");
    await controller.onEnvRepoPush(await repo.head());
    expect(failed.length).toBe(before + 1);
    const message = failed[failed.length - 1].record.message ?? "";
    expect(message).toMatch(/envs\/dev\/web\/cron\.yaml:2: kind "CronJob" is not supported/);
    expect(message).toMatch(/envs\/dev\/web\/deployment\.yaml:\d+: spec\.template\.spec\.containers\[0\]\.image/);
    expect(runtime.snapshot("dev").deployments[0].pods.map((pod) => pod.name).sort()).toEqual(pods);
    expect(await fetchVersion()).toBe("v2");
    expect(app().status().health).toBe("Healthy");
    // Fixed in git: synced again (nothing to change for the runtime).
    await pushAndSync("fix", { [`${path}/deployment.yaml`]: webDeployment({ version: "v2" }), [`${path}/cron.yaml`]: null });
    expect(app().status()).toMatchObject({ sync: "Synced", health: "Healthy", syncedRevision: await repo.head() });
  });

  it("(e) self-heals a Deployment deleted by hand", async () => {
    await runtime.delete("dev", { kind: "Deployment", name: "web" });
    const drift = await app().observeDrift();
    expect(drift.join("\n")).toMatch(/Deployment dev\/web: OutOfSync \(missing from the runtime\)/);
    const started = Date.now();
    const status = await app().reconcile({ kind: "resync" });
    console.log(`[sync timing] self-heal of a deleted Deployment → ${status.health} ${Date.now() - started} ms`);
    expect(status).toMatchObject({ sync: "Synced", health: "Healthy" });
    expect(await fetchVersion()).toBe("v2");
    expect(app().syncHistory()[0]).toMatchObject({ result: "Succeeded", applied: ["Deployment dev/web: created"] });
  });

  it("(e) shows a Service edited by hand as OutOfSync and heals it", async () => {
    const service = runtime.snapshot("dev").services[0].spec;
    await runtime.apply("dev", [{ ...service, ports: [{ ...service.ports[0], port: 81 }] }]);
    const drift = await app().observeDrift();
    expect(drift.join("\n")).toMatch(/Service dev\/web: OutOfSync\n {2}spec\.ports\[0\]\.port: 81 → 80/);
    expect(app().status().sync).toBe("OutOfSync");
    const status = await app().reconcile({ kind: "self-heal" });
    expect(status).toMatchObject({ sync: "Synced", health: "Healthy" });
    expect(runtime.snapshot("dev").services[0].spec.ports[0].port).toBe(80);
    expect(await fetchVersion()).toBe("v2");
  });
});
