/** Rolling updates on every runtime (one suite over local and docker) under constant traffic through the ingress: v1 → v2 with no failed request, and a broken v2 that stalls while v1 keeps serving. */

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DeploymentState } from "../../src/runtime/runtime";
import type { DeploymentSpec } from "../../src/runtime/types";
import { appDeployment, appService, httpGet, simpleIngress, startLoad, waitFor, type AppOptions, type Harness } from "./support";
import { runtimeCases } from "./runtime-cases";

const clients = 10;

for (const runtimeCase of runtimeCases) {
  describe.skipIf(!runtimeCase.runnable)(`${runtimeCase.name} runtime: rolling update under load`, () => {
    let harness: Harness;

    beforeAll(() => runtimeCase.prepare(), 300_000);
    afterAll(() => runtimeCase.release(), 120_000);
    beforeEach(async () => {
      harness = await runtimeCase.start();
    });
    afterEach(async () => {
      const { leftoverPids, listeningPorts } = await harness.stop();
      expect(leftoverPids).toEqual([]);
      expect(listeningPorts).toEqual([]);
    }, 60_000);

    const web = (): DeploymentState | undefined => harness.runtime.snapshot("dev").deployments.find((deployment) => deployment.name === "web");
    const app = (options: AppOptions) => appDeployment({ ...options, container: { ...runtimeCase.app(options.version), ...options.container } });

    async function deployV1(replicas = 3, spec: Partial<DeploymentSpec> = {}): Promise<{ url: string; v1: DeploymentState }> {
      await harness.runtime.apply("dev", [appService("web"), app({ name: "web", version: "v1", replicas, spec }), simpleIngress("web", [{ path: "/", service: "web" }])]);
      const v1 = await waitFor("v1 complete", () => (web()?.complete && web()?.readyReplicas === replicas ? web() : undefined), 60_000);
      return { url: `${harness.runtime.ingressUrl("dev")}/`, v1 };
    }

    it("rolls v1 to v2 (maxSurge 50%, maxUnavailable 1) without a failed request", async () => {
      const strategy = { strategy: { type: "RollingUpdate" as const, rollingUpdate: { maxSurge: "50%", maxUnavailable: 1 } } };
      const { url, v1 } = await deployV1(4, strategy);
      const load = startLoad(url, clients);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      await harness.runtime.apply("dev", [app({ name: "web", version: "v2", replicas: 4, spec: strategy })]);
      const v2 = await waitFor("v2 complete", () => {
        const current = web();
        return current?.complete && current.templateHash !== v1.templateHash ? current : undefined;
      }, 60_000);
      const rolloutMs = Math.round(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const report = await load.stop();
      console.log(`${runtimeCase.name}: rollout v1→v2 (4 replicas): ${rolloutMs} ms, ${report.requests} requests, ${report.failures} failed, by version ${JSON.stringify(report.versions)}`);
      expect(report.errors).toEqual([]);
      expect(report.failures).toBe(0);
      expect(report.versions.v1).toBeGreaterThan(0);
      expect(report.versions.v2).toBeGreaterThan(0);
      expect(v2).toMatchObject({ revision: 2, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 });
      expect(v2.pods.every((pod) => pod.image === runtimeCase.app("v2").image)).toBe(true);
      for (const pod of v1.pods) expect(() => process.kill(pod.pid as number, 0)).toThrow();
      for (let index = 0; index < 5; index++) expect((await httpGet(url)).body).toMatch(/^v2 /);
    }, 120_000);

    it("stalls a v2 that never gets ready while v1 keeps serving, then converges back to v1", async () => {
      const { url, v1 } = await deployV1();
      const deadlines: string[] = [];
      harness.runtime.events.on((event) => {
        if (event.kind === "deployment" && event.type === "progress-deadline-exceeded") deadlines.push(event.revision);
      });
      const load = startLoad(url, clients);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await harness.runtime.apply("dev", [app({ name: "web", version: "v2", replicas: 3, env: { NEVER_READY: "1" }, spec: { progressDeadlineSeconds: 2 } })]);
      await waitFor("progress deadline exceeded", () => deadlines.length > 0, 20_000);
      const stalled = web() as DeploymentState;
      expect(stalled.conditions.find((condition) => condition.type === "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
      expect(stalled).toMatchObject({ complete: false, updatedReplicas: 1, readyReplicas: 3 });
      await harness.runtime.apply("dev", [app({ name: "web", version: "v1", replicas: 3 })]);
      const back = await waitFor("back on v1", () => {
        const current = web();
        return current?.complete && current.templateHash === v1.templateHash ? current : undefined;
      }, 30_000);
      const report = await load.stop();
      expect(report.errors).toEqual([]);
      expect(report.failures).toBe(0);
      expect(Object.keys(report.versions)).toEqual(["v1"]);
      // The old replicas never stopped: the same processes (containers) serve again.
      expect(back.pods.map((pod) => pod.pid).sort()).toEqual(v1.pods.map((pod) => pod.pid).sort());
    }, 120_000);
  });
}
