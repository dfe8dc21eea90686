/** NodePort Services on the local runtime: a fixed 127.0.0.1 port, moved in place, refused when taken (the service left as it was), and never two in one batch. */

import { Agent } from "node:http";
import { createServer, type Server } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServiceSpec } from "../../src/runtime/types";
import { appDeployment, httpGet, startHarness, waitFor, type Harness } from "./support";

let harness: Harness;
const foreign: Server[] = [];

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await Promise.all(foreign.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  const { leftoverPids, listeningPorts } = await harness.stop();
  expect(leftoverPids).toEqual([]);
  expect(listeningPorts).toEqual([]);
});

/** A port in the node port range that nothing listens on now. */
async function freeNodePort(exclude: number[] = []): Promise<number> {
  for (let port = 30000 + Math.floor(Math.random() * 2000); port <= 32767; port += 1) {
    if (exclude.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free node port");
}

function nodePortService(name: string, nodePort: number): ServiceSpec {
  return { kind: "Service", name, selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: "http", nodePort }] };
}

/** web-1 behind a NodePort Service on `nodePort`, ready and answering there. */
async function webOnNodePort(nodePort: number): Promise<void> {
  const { runtime } = harness;
  await runtime.apply("dev", [nodePortService("web", nodePort), appDeployment({ name: "web", version: "web-1" })]);
  await waitFor("web ready", () => runtime.snapshot("dev").deployments[0]?.readyReplicas === 1);
  expect(await answersOn(nodePort)).toBe("200 web-1");
}

/** A new connection each time: a kept-alive one to a listener just replaced would see it close. */
const answersOn = async (port: number): Promise<string> => {
  const result = await httpGet(`http://127.0.0.1:${port}/`, { agent: new Agent({ keepAlive: false }) });
  return `${result.status} ${result.body.split(" ")[0]}`;
};

describe("NodePort services", () => {
  it("answers on its node port, moves to a new one in place, and closes the old one", async () => {
    const { runtime } = harness;
    const first = await freeNodePort();
    await webOnNodePort(first);
    expect(runtime.snapshot("dev").services[0].ports[0]).toMatchObject({ port: 80, hostPort: first });

    const second = await freeNodePort([first]);
    await runtime.apply("dev", [nodePortService("web", second), appDeployment({ name: "web", version: "web-1" })]);
    expect(await answersOn(second)).toBe("200 web-1");
    await expect(httpGet(`http://127.0.0.1:${first}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("refuses a node port something else listens on, leaving every service as it was", async () => {
    const { runtime } = harness;
    const kept = await freeNodePort();
    await webOnNodePort(kept);
    const taken = await freeNodePort([kept]);
    const squatter = createServer();
    foreign.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(taken, "127.0.0.1", resolve));

    await expect(runtime.apply("dev", [nodePortService("api", taken)])).rejects.toThrow(`Service api port http: node port ${taken} on 127.0.0.1 is taken`);
    await expect(runtime.apply("dev", [nodePortService("web", taken)])).rejects.toThrow(`Service web port http: node port ${taken} on 127.0.0.1 is taken`);
    expect(runtime.snapshot("dev").services.map((service) => [service.name, service.ports[0].hostPort])).toEqual([["web", kept]]);
    expect(await answersOn(kept)).toBe("200 web-1");
    // The node port moving to a new listener (now raw TCP) is freed first; the taken one fails: the old listener is back.
    const moved: ServiceSpec = { ...nodePortService("web", kept), ports: [{ name: "http", port: 80, targetPort: "http", nodePort: kept, appProtocol: "tcp" }, { name: "extra", port: 81, targetPort: "http", nodePort: taken }] };
    await expect(runtime.apply("dev", [moved])).rejects.toThrow(`Service web port extra: node port ${taken} on 127.0.0.1 is taken`);
    expect(await answersOn(kept)).toBe("200 web-1");
    expect(runtime.snapshot("dev").services[0].ports).toMatchObject([{ name: "http", hostPort: kept, protocol: "http" }]);
    // Two Services of one batch cannot share a node port; another namespace's Service cannot take one in use.
    await expect(runtime.apply("dev", [nodePortService("a", taken + 1), nodePortService("b", taken + 1)])).rejects.toThrow(`Service dev/b: spec.ports[0].nodePort ${taken + 1} is already the node port of Service a`);
    await expect(runtime.apply("staging", [nodePortService("web", kept)])).rejects.toThrow(`node port ${kept} on 127.0.0.1 is already used by this runtime`);
  });
});
