/** The HTTP balancer on its own: a refused upstream is retried for any method, and a leaving upstream drains in-flight requests and loses its idle sockets. */

import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpBalancer } from "../../src/runtime/local/load-balancer";
import { PortAllocator } from "../../src/runtime/local/ports";

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function upstream(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const delay = Number(new URL(req.url ?? "/", "http://x").searchParams.get("delay") ?? 0);
      setTimeout(() => res.end(`${name} ${req.method} ${Buffer.concat(chunks).toString()}`), delay);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function balancer(): Promise<{ lb: HttpBalancer; port: number }> {
  const lb = new HttpBalancer("test");
  const port = await lb.listen(0);
  closers.push(() => lb.close());
  return { lb, port };
}

function send(port: number, method: string, path: string, body = ""): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("HttpBalancer", () => {
  it("retries a refused connection on another upstream, even for a POST with a body", async () => {
    const live = await upstream("b");
    const gone = await new PortAllocator().allocate();
    const { lb, port } = await balancer();
    lb.setUpstreams([{ replica: "a", port: gone }, { replica: "b", port: live.port }]);
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => send(port, "POST", "/", `body-${index}`)));
    expect(results.map((result) => result.body)).toEqual(Array.from({ length: 6 }, (_, index) => `b POST body-${index}`));
    expect(lb.stats.retries).toBeGreaterThan(0);
    expect(lb.stats.failures).toBe(0);
  });

  it("drains in-flight requests of a leaving upstream and closes its idle connections", async () => {
    const slow = await upstream("a");
    const { lb, port } = await balancer();
    lb.setUpstreams([{ replica: "a", port: slow.port }]);
    expect((await send(port, "GET", "/")).body).toBe("a GET ");
    const inflight = send(port, "GET", "/?delay=300");
    await new Promise((resolve) => setTimeout(resolve, 50));
    lb.setUpstreams([]);
    expect(lb.inflight()).toEqual([{ key: `a:${slow.port}`, inflight: 1, removed: true }]);
    const started = performance.now();
    expect(await lb.drain("a", 5000)).toBe(true);
    expect(performance.now() - started).toBeGreaterThan(150);
    expect((await inflight).body).toBe("a GET ");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const open = await new Promise<number>((resolve) => slow.server.getConnections((_error, count) => resolve(count)));
    expect(open).toBe(0);
    expect((await send(port, "GET", "/")).status).toBe(503);
  });
});
