/** The namespace entry point routing by host and path to Services, 404 and 503 answers, a TCP Service, and retries when a replica dies under load. */

import { connect, createServer, type AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IngressSpec } from "../../src/runtime/types";
import { appDeployment, appService, httpGet, servicePort, startHarness, startLoad, waitFor, type Harness } from "./support";

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  const { leftoverPids, listeningPorts } = await harness.stop();
  expect(leftoverPids).toEqual([]);
  expect(listeningPorts).toEqual([]);
});

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });

const ingress: IngressSpec = {
  kind: "Ingress",
  name: "shop",
  rules: [
    {
      host: "shop.example.com",
      paths: [
        { path: "/api", pathType: "Prefix", backend: backend("api") },
        { path: "/", pathType: "Prefix", backend: backend("web") },
        { path: "/api/health", pathType: "Exact", backend: backend("web") },
      ],
    },
    { host: "*.preview.example.com", paths: [{ path: "/", pathType: "Prefix", backend: backend("api") }] },
    { paths: [{ path: "/status", pathType: "Exact", backend: backend("web") }, { path: "/idle", pathType: "Prefix", backend: backend("idle") }] },
  ],
};

describe("ingress entry point", () => {
  it("routes by host and path, answers 404 without a rule and 503 without a ready replica", async () => {
    const { runtime } = harness;
    await runtime.apply("dev", [
      appService("api"),
      appService("web"),
      appService("idle"),
      appDeployment({ name: "api", version: "api-1" }),
      appDeployment({ name: "web", version: "web-1" }),
      appDeployment({ name: "idle", version: "idle-1", replicas: 0 }),
      ingress,
    ]);
    await waitFor("api and web ready", () => runtime.snapshot("dev").deployments.filter((deployment) => deployment.readyReplicas === 1).length === 2);
    const base = runtime.ingressUrl("dev") as string;
    const route = async (host: string, path: string) => {
      const result = await httpGet(`${base}${path}`, { host });
      return result.status === 200 ? result.body.split(" ")[0] : `${result.status} ${result.body.trim()}`;
    };
    expect(await route("shop.example.com", "/api/orders")).toBe("api-1");
    expect(await route("SHOP.example.com:8080", "/api")).toBe("api-1");
    expect(await route("shop.example.com", "/apix")).toBe("web-1");
    expect(await route("shop.example.com", "/api/health")).toBe("web-1");
    expect(await route("shop.example.com", "/")).toBe("web-1");
    expect(await route("pr-7.preview.example.com", "/anything")).toBe("api-1");
    expect(await route("a.b.preview.example.com", "/status")).toBe("web-1");
    expect(await route("other.test", "/status")).toBe("web-1");
    expect(await route("other.test", "/status/x")).toMatch(/^404 slipway ingress \(namespace dev\): no rule matches host "other.test" and path "\/status\/x"/);
    expect(await route("other.test", "/idle/x")).toBe("503 slipway: service idle:http has no ready replica");
    expect(runtime.snapshot("dev").ingresses[0].url).toBe(base);
  });

  it("serves on a configured port and refuses a port that is taken, changing nothing", async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", () => resolve()));
    const taken = (squatter.address() as AddressInfo).port;
    await harness.stop();
    harness = await startHarness({ ingressPorts: { dev: taken } });
    await expect(harness.runtime.apply("dev", [appService("web"), simpleRoute()])).rejects.toThrow(`the ingress port ${taken} on 127.0.0.1 is taken`);
    expect(harness.runtime.snapshot("dev").services).toEqual([]);
    await new Promise((resolve) => squatter.close(resolve));
    await harness.runtime.apply("dev", [appService("web"), simpleRoute(), appDeployment({ name: "web", version: "v1" })]);
    expect(harness.runtime.ingressUrl("dev")).toBe(`http://127.0.0.1:${taken}`);
    await waitFor("ready", () => harness.runtime.snapshot("dev").deployments[0]?.complete);
    expect((await httpGet(`http://127.0.0.1:${taken}/`)).body).toMatch(/^v1 /);
  });

  it("proxies a TCP service port", async () => {
    const { runtime } = harness;
    const app = appDeployment({ name: "echo", version: "v1", replicas: 2 });
    app.template.containers[0].ports?.push({ name: "echo", containerPort: 9000 });
    await runtime.apply("dev", [app, { kind: "Service", name: "echo", selector: { app: "echo" }, ports: [{ name: "echo", port: 9000, targetPort: "echo", appProtocol: "tcp" }] }]);
    await waitFor("2 ready", () => runtime.snapshot("dev").deployments[0]?.readyReplicas === 2);
    const port = servicePort(runtime, "dev", "echo");
    const echoed = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port }, () => socket.end("ping"));
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("end", () => resolve(Buffer.concat(chunks).toString()));
      socket.on("error", reject);
    });
    expect(echoed).toBe("ping");
    expect(runtime.snapshot("dev").services[0].ports[0].protocol).toBe("tcp");
  });

  it("retries requests whose replica was SIGKILLed under load", async () => {
    const { runtime } = harness;
    await runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version: "v1", replicas: 3 })]);
    const ready = await waitFor("3 ready", () => (runtime.snapshot("dev").deployments[0]?.readyReplicas === 3 ? runtime.snapshot("dev").deployments[0] : undefined));
    const load = startLoad(`http://127.0.0.1:${servicePort(runtime, "dev", "web")}/`, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(ready.pods[0].pid as number, "SIGKILL");
    await waitFor("restarted", () => runtime.snapshot("dev").deployments[0]?.pods.find((pod) => pod.name === ready.pods[0].name && pod.ready && pod.restarts === 1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const report = await load.stop();
    console.log(`SIGKILL under load: ${report.requests} requests, ${report.failures} failed`);
    expect(report.errors).toEqual([]);
  });
});

function simpleRoute(): IngressSpec {
  return { kind: "Ingress", name: "web", rules: [{ paths: [{ path: "/", pathType: "Prefix", backend: backend("web") }] }] };
}

