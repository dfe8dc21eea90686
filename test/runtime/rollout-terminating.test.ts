/** A rolling update does not wait for retired replicas to finish terminating before it starts the next new one (Kubernetes counts terminating pods out of the surge). */

import { describe, expect, it } from "vitest";
import { appDeployment, appService, simpleIngress, startLoad, waitFor, useHarnessPerTest } from "./support";

const testbed = useHarnessPerTest();
const { web } = testbed;

describe("rolling update with slow-terminating replicas", () => {
  it("starts the next new replica while a retired one still terminates, and never drops a request", async () => {
    // The app ignores SIGTERM: every retired replica takes the whole grace period (4 s) to go away.
    const spec = (version: string) => appDeployment({ name: "web", version, replicas: 3, graceSeconds: 4, env: { IGNORE_SIGTERM: "1" } });
    await testbed.runtime.apply("dev", [appService("web"), spec("v1"), simpleIngress("web", [{ path: "/", service: "web" }])]);
    const v1 = await waitFor("v1 complete", () => (web()?.complete && web()?.readyReplicas === 3 ? web() : undefined), 30_000);
    const load = startLoad(`${testbed.runtime.ingressUrl("dev") ?? ""}/`, 10);

    // The largest number of new replicas seen while an old one was terminating.
    let overlap = 0;
    const watch = setInterval(() => {
      const pods = web()?.pods ?? [];
      const terminatingOld = pods.filter((pod) => pod.revision === v1.templateHash && pod.phase === "Terminating").length;
      const fresh = pods.filter((pod) => pod.revision !== v1.templateHash).length;
      if (terminatingOld > 0) overlap = Math.max(overlap, fresh);
    }, 10);
    await testbed.runtime.apply("dev", [spec("v2")]);
    const v2 = await waitFor("v2 complete", () => {
      const current = web();
      return current?.complete && current.templateHash !== v1.templateHash && current.pods.length === 3 ? current : undefined;
    }, 60_000);
    clearInterval(watch);
    const report = await load.stop();
    console.log(`slow-terminating rollout: ${report.requests} requests, ${report.failures} failed; new replicas seen beside a terminating old one: ${overlap}`);
    expect(report.errors).toEqual([]);
    expect(v2.readyReplicas).toBe(3);
    // With surge 1, the second new replica is started as soon as the first old one is retired, not after it exited.
    expect(overlap).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
