/** The `local` runtime: every namespace's objects run on this host behind the Runtime interface; the replica driver decides what a replica is. */

import { createServer } from "node:net";
import { join } from "node:path";
import { SlipwayError, describeError } from "../../core/errors";
import { RuntimeEvents } from "../events";
import type { ReplicaDriver } from "../replica-driver";
import type { ApplyResult, ExecOptions, ExecResult, LiveState, LogLine, LogOptions, Runtime, RuntimeCapabilities, WorkloadRef } from "../runtime";
import type { ObjectRef, RuntimeKind, RuntimeObject } from "../types";
import { validateObjects } from "../validate";
import { LogStore } from "./log-store";
import { LocalNamespace } from "./namespace";
import { loopback, PortAllocator } from "./ports";
import { ImageRootCache } from "./image-cache";
import type { ImageSource } from "./image-source";
import { ProcessReplicaDriver } from "./process-driver";
import type { BackoffOptions } from "./replica";

export interface LocalRuntimeOptions {
  /** Logs, replica directories and volume files go under <dataDir>/namespaces/<ns>/. */
  dataDir: string;
  /** Default: host processes. A container driver makes this the docker runtime. */
  driver?: ReplicaDriver;
  name?: string;
  /** Ingress entry point port per namespace (for example { dev: 8080 }); others get a free port. */
  ingressPorts?: Record<string, number>;
  backoff?: Partial<BackoffOptions>;
  logLinesPerReplica?: number;
  /** Where the default driver finds images (unpacked under <dataDir>/images); without it the manifest's command runs on the host. */
  images?: ImageSource;
  /** Replicas a previous slipway left running that no Deployment takes over are ended after this; default 60 s. */
  orphanGraceMs?: number;
}

/** Dependencies first: config before the workloads that read it, Services before the Ingress that routes to them. */
const applyOrder: RuntimeKind[] = ["ConfigMap", "Secret", "Service", "Deployment", "Job", "Ingress"];

function portIsFree(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error) => resolve(describeError(error)));
    server.listen(port, loopback, () => server.close(() => resolve(undefined)));
  });
}

export class LocalRuntime implements Runtime {
  readonly name: string;
  readonly capabilities: RuntimeCapabilities;
  readonly events = new RuntimeEvents();
  private readonly spaces = new Map<string, LocalNamespace>();
  private readonly ports = new PortAllocator();
  private readonly logStore: LogStore;
  private readonly driver: ReplicaDriver;
  private readonly backoff: BackoffOptions;
  /** One apply or delete at a time per namespace. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.driver =
      options.driver ??
      new ProcessReplicaDriver({
        stateDir: join(options.dataDir, "replica-records"),
        images: options.images ? new ImageRootCache(join(options.dataDir, "images"), options.images) : undefined,
        orphanGraceMs: options.orphanGraceMs,
      });
    this.name = options.name ?? "local";
    this.capabilities = { resourceLimits: this.driver.resourceLimits, isolation: this.driver.isolation, absoluteMountPaths: this.driver.absoluteMountPaths, adoptsReplicas: this.driver.orphans !== undefined };
    this.logStore = new LogStore({ dataDir: options.dataDir, linesPerReplica: options.logLinesPerReplica });
    this.backoff = { initialMs: 1000, maxMs: 10_000, resetAfterMs: 60_000, ...options.backoff };
    const seen = new Map<number, string>();
    for (const [namespace, port] of Object.entries(options.ingressPorts ?? {})) {
      const other = seen.get(port);
      if (other && port !== 0) throw new SlipwayError("CONFIG_INVALID", `ingress port ${port} is configured for both ${other} and ${namespace}`);
      seen.set(port, namespace);
      if (port !== 0) this.ports.hold(port);
    }
  }

  private space(namespace: string): LocalNamespace {
    let space = this.spaces.get(namespace);
    if (!space) {
      space = new LocalNamespace(namespace, {
        context: { driver: this.driver, logs: this.logStore, backoff: this.backoff },
        ports: this.ports,
        events: this.events,
        dataDir: this.options.dataDir,
        ingressPort: this.options.ingressPorts?.[namespace] ?? 0,
      });
      this.spaces.set(namespace, space);
    }
    return space;
  }

  private serialize<T>(namespace: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(namespace) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.queues.set(namespace, next.catch(() => undefined));
    return next;
  }

  private assertOpen(): void {
    if (this.closed) throw new SlipwayError("CONFLICT", `runtime ${this.name} is closed`);
  }

  async apply(namespace: string, objects: RuntimeObject[]): Promise<ApplyResult[]> {
    this.assertOpen();
    validateObjects(namespace, objects);
    return this.serialize(namespace, async () => {
      const space = this.space(namespace);
      const port = this.options.ingressPorts?.[namespace];
      if (port && !space.ingressUrl && objects.some((object) => object.kind === "Ingress")) {
        const busy = await portIsFree(port);
        if (busy) throw new SlipwayError("CONFLICT", `namespace ${namespace}: the ingress port ${port} on ${loopback} is taken (${busy}); nothing was applied`);
      }
      const ordered = [...objects].sort((a, b) => applyOrder.indexOf(a.kind) - applyOrder.indexOf(b.kind));
      const results: ApplyResult[] = [];
      for (const object of ordered) results.push({ ref: { kind: object.kind, name: object.name }, action: await space.apply(object) });
      return results;
    });
  }

  async delete(namespace: string, ref: ObjectRef): Promise<boolean> {
    this.assertOpen();
    return this.serialize(namespace, async () => {
      // Replicas of a workload deleted while slipway was down are not wanted any more.
      if (ref.kind === "Deployment" || ref.kind === "Job") await this.driver.dropOrphans?.({ namespace, workload: { kind: ref.kind, name: ref.name } });
      const space = this.spaces.get(namespace);
      if (!space) return false;
      const existed = await space.delete(ref);
      if (space.isEmpty) this.spaces.delete(namespace);
      return existed;
    });
  }

  async observe(namespace: string): Promise<LiveState> {
    return this.snapshot(namespace);
  }

  /** The same as observe, synchronously (the local runtime keeps everything in memory). */
  snapshot(namespace: string): LiveState {
    const space = this.spaces.get(namespace);
    return space ? space.observe() : { namespace, deployments: [], services: [], ingresses: [], configMaps: [], secrets: [], jobs: [] };
  }

  namespaces(): string[] {
    return [...this.spaces.keys()];
  }

  /** The entry point URL of a namespace, once it has an Ingress. */
  ingressUrl(namespace: string): string | undefined {
    return this.spaces.get(namespace)?.ingressUrl;
  }

  logs(namespace: string, workload: WorkloadRef, options: LogOptions = {}): AsyncIterable<LogLine> {
    return this.logStore.read(namespace, workload, options);
  }

  async exec(namespace: string, workload: WorkloadRef, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const space = this.spaces.get(namespace);
    const owner = workload.kind === "Deployment" ? space?.deployment(workload.name) : space?.job(workload.name);
    const replica = owner?.findReplica(options.replica);
    if (!replica) throw new SlipwayError("NOT_FOUND", `${workload.kind} ${namespace}/${workload.name}${options.replica ? ` has no replica ${options.replica}` : " has no replica"}`);
    return replica.exec(command, options.timeoutMs ?? 30_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.queues.values()]);
    await Promise.all([...this.spaces.values()].map((space) => space.close()));
    await this.driver.dropOrphans?.();
    this.spaces.clear();
  }
}

export function createLocalRuntime(options: LocalRuntimeOptions): LocalRuntime {
  return new LocalRuntime(options);
}
