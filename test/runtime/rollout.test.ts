/** Rolling updates under constant traffic through the ingress: v1 → v2 with no failed request, and a broken v2 that stalls while v1 keeps serving. */

import { describe, expect, it } from "vitest";
import type { DeploymentState } from "../../src/runtime/runtime";
import type { DeploymentSpec } from "../../src/runtime/types";
import { appDeployment, appService, httpGet, simpleIngress, startLoad, waitFor, useHarnessPerTest } from "./support";

const testbed = useHarnessPerTest();
const { web } = testbed;
const clients = 20;

async function deployV1(replicas = 3, spec: Partial<DeploymentSpec> = {}): Promise<{ url: string; v1: DeploymentState }> {
  const { runtime } = testbed;
  await runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version: "v1", replicas, spec }), simpleIngress("web", [{ path: "/", service: "web" }])]);
  const v1 = await waitFor("v1 complete", () => (web()?.complete && web()?.readyReplicas === replicas ? web() : undefined));
  return { url: `${runtime.ingressUrl("dev")}/`, v1 };
}

/** The fewest endpoints the Service had while the probe ran (maxUnavailable 0 means never below 3). */
function watchEndpoints(): { stop(): number } {
  let fewest = Number.POSITIVE_INFINITY;
  const timer = setInterval(() => {
    const service = testbed.runtime.snapshot("dev").services.find((candidate) => candidate.name === "web");
    fewest = Math.min(fewest, service?.endpoints.http.length ?? 0);
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return fewest;
    },
  };
}

describe("rolling update under load", () => {
  it.each([
    { replicas: 3, rollingUpdate: undefined, floor: 3 },
    { replicas: 4, rollingUpdate: { maxSurge: "50%", maxUnavailable: 1 }, floor: 3 },
  ])("rolls v1 to v2 ($replicas replicas, $rollingUpdate) under 20 clients without a failed request", async ({ replicas, rollingUpdate, floor }) => {
    const strategy = rollingUpdate ? { strategy: { type: "RollingUpdate" as const, rollingUpdate } } : {};
    const { url, v1 } = await deployV1(replicas, strategy);
    const load = startLoad(url, clients);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const endpoints = watchEndpoints();
    const started = performance.now();
    const [result] = await testbed.runtime.apply("dev", [appDeployment({ name: "web", version: "v2", replicas, spec: strategy })]);
    expect(result.action).toBe("configured");
    const v2 = await waitFor("v2 complete", () => {
      const current = web();
      return current?.complete && current.templateHash !== v1.templateHash ? current : undefined;
    });
    const rolloutMs = Math.round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const report = await load.stop();
    const fewestEndpoints = endpoints.stop();
    console.log(`rollout v1→v2 (${replicas} replicas): ${rolloutMs} ms, ${report.requests} requests, ${report.failures} failed, by version ${JSON.stringify(report.versions)}, fewest endpoints ${fewestEndpoints}`);
    expect(report.errors).toEqual([]);
    expect(report.failures).toBe(0);
    expect(report.versions.v1).toBeGreaterThan(0);
    expect(report.versions.v2).toBeGreaterThan(0);
    expect(fewestEndpoints).toBeGreaterThanOrEqual(floor);
    expect(v2).toMatchObject({ revision: 2, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 2 });
    expect(v2.pods.every((pod) => pod.image === "example/web:v2")).toBe(true);
    for (const pod of v1.pods) expect(() => process.kill(pod.pid as number, 0)).toThrow();
    for (let index = 0; index < 10; index++) expect((await httpGet(url)).body).toMatch(/^v2 /);
  });

  it("stalls a v2 that never gets ready while v1 keeps serving, then converges back to v1", async () => {
    const { url, v1 } = await deployV1();
    const deadlines: string[] = [];
    testbed.runtime.events.on((event) => {
      if (event.kind === "deployment" && event.type === "progress-deadline-exceeded") deadlines.push(event.revision);
    });
    const load = startLoad(url, clients);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const broken = appDeployment({ name: "web", version: "v2", replicas: 3, env: { NEVER_READY: "1" }, spec: { progressDeadlineSeconds: 1.5 } });
    await testbed.runtime.apply("dev", [broken]);
    await waitFor("progress deadline exceeded", () => deadlines.length > 0, 10_000);
    const stalled = web() as DeploymentState;
    expect(stalled.conditions.find((condition) => condition.type === "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
    expect(stalled).toMatchObject({ complete: false, updatedReplicas: 1, readyReplicas: 3 });
    expect(stalled.pods.filter((pod) => pod.ready).map((pod) => pod.name).sort()).toEqual(v1.pods.map((pod) => pod.name).sort());

    const started = performance.now();
    await testbed.runtime.apply("dev", [appDeployment({ name: "web", version: "v1", replicas: 3 })]);
    const back = await waitFor("back on v1", () => {
      const current = web();
      return current?.complete && current.templateHash === v1.templateHash ? current : undefined;
    });
    const convergeMs = Math.round(performance.now() - started);
    const report = await load.stop();
    console.log(`broken v2 stall + re-apply v1: converged in ${convergeMs} ms, ${report.requests} requests, ${report.failures} failed, by version ${JSON.stringify(report.versions)}`);
    expect(report.errors).toEqual([]);
    expect(report.failures).toBe(0);
    expect(Object.keys(report.versions)).toEqual(["v1"]);
    // The old replicas were never stopped: the same processes serve again, revision number moves on as in Kubernetes.
    expect(back.pods.map((pod) => pod.pid).sort()).toEqual(v1.pods.map((pod) => pod.pid).sort());
    expect(back.revision).toBe(3);
    expect(convergeMs).toBeLessThan(2000);
  });
});
