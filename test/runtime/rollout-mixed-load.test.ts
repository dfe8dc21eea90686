/** Rolling updates through the ingress under autocannon with requests that are hard to move: POSTs and PUTs with bodies (never retried) and slow responses in flight while replicas drain. */

import autocannon from "autocannon";
import { describe, expect, it } from "vitest";
import type { DeploymentState } from "../../src/runtime/runtime";
import { appDeployment, appService, simpleIngress, waitFor, useHarnessPerTest } from "./support";

const testbed = useHarnessPerTest();
const { web } = testbed;

async function deploy(version: string): Promise<DeploymentState> {
  await testbed.runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version, replicas: 3, graceSeconds: 5 }), simpleIngress("web", [{ path: "/", service: "web" }])]);
  return waitFor(`${version} complete`, () => {
    const current = web();
    return current?.complete && current.readyReplicas === 3 && current.pods.length === 3 && current.pods.every((pod) => pod.image.endsWith(`:${version}`)) ? current : undefined;
  }, 30_000);
}

interface Outcome {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p99: number;
  statuses: string[];
}

function load(options: autocannon.Options): { stop(): Promise<Outcome> } {
  const statuses: string[] = [];
  let settle: (result: autocannon.Result) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve) => (settle = resolve));
  const requests = (options.requests ?? [{ method: "GET", path: "/" }]).map((request) => ({
    ...request,
    onResponse: (status: number, body: string) => {
      if ((status < 200 || status >= 300) && statuses.length < 10) statuses.push(`${status} ${body.trim()}`);
    },
  }));
  const instance = autocannon({ duration: 600, timeout: 10, ...options, requests }, (error, result) => {
    if (error) statuses.push(`autocannon: ${error.message}`);
    settle(result);
  });
  return {
    async stop() {
      instance.stop();
      const result = await done;
      return { requests: result.requests.total, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, p99: result.latency.p99, statuses };
    },
  };
}

describe("rolling update under hard-to-move traffic", () => {
  it("moves POSTs with bodies and slow in-flight GETs from v1 to v2 with no failed request", async () => {
    await deploy("v1");
    const url = `${testbed.runtime.ingressUrl("dev") ?? ""}`;
    const traffic = load({
      url,
      connections: 20,
      overallRate: 800,
      requests: [
        { method: "POST", path: "/orders", body: JSON.stringify({ item: "tea", quantity: 2 }), headers: { "content-type": "application/json" } },
        { method: "GET", path: "/slow?delay=300" },
        { method: "PUT", path: "/cart", body: "x".repeat(32 * 1024) },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await deploy("v2");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const outcome = await traffic.stop();
    console.log(`POST/PUT/slow GET across v1→v2: ${outcome.requests} requests, ${outcome.non2xx} non-2xx, ${outcome.errors} errors, ${outcome.timeouts} timeouts, p99 ${outcome.p99} ms`);
    expect(outcome.statuses).toEqual([]);
    expect({ non2xx: outcome.non2xx, errors: outcome.errors, timeouts: outcome.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
  }, 60_000);
});
