/** Runtime test harness: a local runtime in a temp dir, spec builders, a bounded load loop, and checks that no process or port is left behind. */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect } from "vitest";
import { createLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from "../../src/runtime/local/local-runtime";
import type { DeploymentState } from "../../src/runtime/runtime";
import type { ContainerSpec, DeploymentSpec, IngressSpec, ServiceSpec } from "../../src/runtime/types";
import { isSameProcessRunning, readProcessEntrySync } from "../../src/workflow/executors/host/proc-table";

export const appServer = fileURLToPath(new URL("../fixtures/runtime/app-server.mjs", import.meta.url));

export interface Harness {
  runtime: LocalRuntime;
  dataDir: string;
  /** Every replica pid and port seen while the harness ran. */
  seenPids: Map<number, number>;
  seenPorts: Set<number>;
  /** Closes the runtime and returns what is still running or listening (both must be empty). */
  stop(): Promise<{ leftoverPids: number[]; listeningPorts: number[] }>;
}

/** `create` makes another runtime over the same shared code (the docker runtime in the parameterised suites). */
export async function startHarness(options: Partial<LocalRuntimeOptions> = {}, create: (options: LocalRuntimeOptions) => LocalRuntime = createLocalRuntime): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), "slipway-runtime-"));
  const runtime = create({ dataDir, backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 }, ...options });
  const seenPids = new Map<number, number>();
  const seenPorts = new Set<number>();
  const sample = (): void => {
    for (const namespace of runtime.namespaces()) {
      const live = runtime.snapshot(namespace);
      for (const pod of [...live.deployments.flatMap((d) => d.pods), ...live.jobs.flatMap((j) => j.pods)]) {
        if (pod.pid !== undefined && !seenPids.has(pod.pid)) {
          const entry = readProcessEntrySync(pod.pid);
          if (entry) seenPids.set(pod.pid, entry.startTime);
        }
        for (const port of pod.ports) seenPorts.add(port.hostPort);
      }
      for (const service of live.services) for (const port of service.ports) seenPorts.add(port.hostPort);
      const url = runtime.ingressUrl(namespace);
      if (url) seenPorts.add(Number(new URL(url).port));
    }
  };
  const unsubscribe = runtime.events.on(() => sample());
  const timer = setInterval(sample, 25);
  return {
    runtime,
    dataDir,
    seenPids,
    seenPorts,
    async stop() {
      sample();
      clearInterval(timer);
      unsubscribe();
      await runtime.close();
      const leftoverPids = [...seenPids].filter(([pid, start]) => isSameProcessRunning(pid, start)).map(([pid]) => pid);
      const listening = await listeningPorts();
      await rm(dataDir, { recursive: true, force: true });
      return { leftoverPids, listeningPorts: [...seenPorts].filter((port) => listening.has(port)) };
    },
  };
}

export interface HarnessPerTest {
  readonly harness: Harness;
  readonly runtime: LocalRuntime;
  /** The `web` Deployment in `dev` as the runtime sees it now. */
  web(): DeploymentState | undefined;
}

/** A fresh harness for each test of the file (beforeEach), stopped after it with no replica process or port left behind (afterEach). */
export function useHarnessPerTest(): HarnessPerTest {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness();
  });
  afterEach(async () => {
    const { leftoverPids, listeningPorts } = await started().stop();
    expect(leftoverPids).toEqual([]);
    expect(listeningPorts).toEqual([]);
  });
  const started = (): Harness => {
    if (!current) throw new Error("the harness starts in beforeEach");
    return current;
  };
  return {
    get harness() {
      return started();
    },
    get runtime() {
      return started().runtime;
    },
    web: () => started().runtime.snapshot("dev").deployments.find((deployment) => deployment.name === "web"),
  };
}

/** Ports in LISTEN state on this host, from /proc/net/tcp. */
export async function listeningPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A") ports.add(parseInt(fields[1].split(":")[1], 16));
    }
  }
  return ports;
}

export interface AppOptions {
  name: string;
  version: string;
  replicas?: number;
  env?: Record<string, string>;
  labels?: Record<string, string>;
  container?: Partial<ContainerSpec>;
  spec?: Partial<DeploymentSpec>;
  graceSeconds?: number;
}

export const fastReadiness = { httpGet: { path: "/ready", port: "http" }, periodSeconds: 0.1, failureThreshold: 2, timeoutSeconds: 1 } as const;

export function appDeployment(options: AppOptions): DeploymentSpec {
  const labels = { app: options.name, ...options.labels };
  return {
    kind: "Deployment",
    name: options.name,
    replicas: options.replicas ?? 1,
    selector: { app: options.name },
    progressDeadlineSeconds: 30,
    ...options.spec,
    template: {
      labels,
      terminationGracePeriodSeconds: options.graceSeconds ?? 5,
      containers: [
        {
          name: "app",
          image: `example/${options.name}:${options.version}`,
          command: [process.execPath, appServer],
          env: Object.entries({ VERSION: options.version, ...options.env }).map(([name, value]) => ({ name, value })),
          ports: [{ name: "http", containerPort: 8080 }],
          readinessProbe: fastReadiness,
          ...options.container,
        },
      ],
    },
  };
}

export function appService(name: string, selector: Record<string, string> = { app: name }): ServiceSpec {
  return { kind: "Service", name, selector, ports: [{ name: "http", port: 80, targetPort: "http" }] };
}

export function simpleIngress(name: string, routes: { host?: string; path: string; pathType?: "Prefix" | "Exact"; service: string }[]): IngressSpec {
  return {
    kind: "Ingress",
    name,
    rules: routes.map((route) => ({
      host: route.host,
      paths: [{ path: route.path, pathType: route.pathType ?? "Prefix", backend: { service: { name: route.service, port: { number: 80 } } } }],
    })),
  };
}

export interface HttpResult {
  status: number;
  body: string;
}

export function httpGet(url: string, options: { agent?: Agent; host?: string; timeoutMs?: number } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers = options.host ? { host: options.host } : undefined;
    const req = request(url, { agent: options.agent, headers, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

export interface LoadReport {
  requests: number;
  failures: number;
  errors: string[];
  /** Responses per version (the first word of the body). */
  versions: Record<string, number>;
}

/** `concurrency` clients on keep-alive connections, each sending one request after another until stopped. */
export function startLoad(url: string, concurrency: number): { stop(): Promise<LoadReport> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const report: LoadReport = { requests: 0, failures: 0, errors: [], versions: {} };
  let running = true;
  const client = async (): Promise<void> => {
    while (running) {
      report.requests++;
      try {
        const result = await httpGet(url, { agent });
        if (result.status !== 200) throw new Error(`HTTP ${result.status}: ${result.body.trim()}`);
        const version = result.body.split(" ")[0];
        report.versions[version] = (report.versions[version] ?? 0) + 1;
      } catch (error) {
        report.failures++;
        if (report.errors.length < 20) report.errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  const clients = Array.from({ length: concurrency }, () => client());
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
      return report;
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function servicePort(runtime: LocalRuntime, namespace: string, service: string): number {
  const state = runtime.snapshot(namespace).services.find((candidate) => candidate.name === service);
  const port = state?.ports[0]?.hostPort;
  if (!port) throw new Error(`service ${namespace}/${service} has no port`);
  return port;
}
