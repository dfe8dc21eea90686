/** A Service's balancers, one per service port, and the mapping of serving replicas onto them (the endpoints controller). */

import { describeError, SlipwayError } from "../../core/errors";
import type { ServiceState } from "../runtime";
import type { Labels, ServicePort, ServiceSpec } from "../types";
import { HttpBalancer, type Balancer } from "./load-balancer";
import { loopback, type PortAllocator } from "./ports";
import { TcpBalancer } from "./tcp-balancer";
import type { UpstreamTarget } from "./upstream-pool";
import type { ServingReplica } from "./workload-host";

interface PortBalancer {
  port: ServicePort;
  hostPort: number;
  protocol: "http" | "tcp";
  balancer: Balancer;
}

export function selectorMatches(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

function protocolOf(port: ServicePort): "http" | "tcp" {
  return port.appProtocol?.toLowerCase() === "tcp" ? "tcp" : "http";
}

/** A port whose key stays keeps its balancer and listener. */
function portKey(port: ServicePort): string {
  return `${port.port}/${protocolOf(port)}/${port.nodePort ?? ""}`;
}

export class LocalService {
  private balancers: PortBalancer[] = [];
  /** The replicas last handed to setEndpoints: a listener opened again gets them too. */
  private serving: ServingReplica[] = [];

  constructor(
    public spec: ServiceSpec,
    private readonly ports: PortAllocator,
  ) {}

  /**
   * Keeps the balancer (and its host port) of every service port that stays; opens and closes the rest. New
   * listeners open before old ones close, so a node port that is taken fails the apply with the service as it was.
   * A node port moving between two of its own ports is freed first and, should the apply fail, opened again; if
   * even that fails, the spec kept is what still listens, so applying the old manifest again is not "unchanged".
   */
  async configure(spec: ServiceSpec): Promise<void> {
    const wanted = new Map(spec.ports.map((port) => [portKey(port), port]));
    const kept: { entry: PortBalancer; port: ServicePort }[] = [];
    const leaving: PortBalancer[] = [];
    for (const entry of this.balancers) {
      const port = wanted.get(portKey(entry.port));
      if (port) {
        kept.push({ entry, port });
        wanted.delete(portKey(port));
      } else leaving.push(entry);
    }
    const wantedNodePorts = new Set([...wanted.values()].map((port) => port.nodePort));
    const freedFirst = leaving.filter((entry) => wantedNodePorts.has(entry.hostPort));
    for (const entry of freedFirst) await this.closeOne(entry);
    const opened: PortBalancer[] = [];
    try {
      for (const port of wanted.values()) opened.push(await this.open(spec.name, port));
    } catch (error) {
      await Promise.all(opened.map((entry) => this.closeOne(entry)));
      const reopened = await Promise.all(freedFirst.map((entry) => this.open(this.spec.name, entry.port).catch(() => undefined)));
      this.balancers = [...this.balancers.filter((entry) => !freedFirst.includes(entry)), ...reopened.filter((entry) => entry !== undefined)];
      this.setEndpoints(this.serving);
      this.spec = { ...this.spec, ports: this.balancers.map((entry) => entry.port) };
      throw error;
    }
    for (const entry of leaving) if (!freedFirst.includes(entry)) await this.closeOne(entry);
    for (const { entry, port } of kept) entry.port = port;
    this.spec = spec;
    this.balancers = [...kept.map(({ entry }) => entry), ...opened];
  }

  private async open(service: string, port: ServicePort): Promise<PortBalancer> {
    const protocol = protocolOf(port);
    const name = `${service}:${port.name ?? port.port}`;
    const balancer = protocol === "tcp" ? new TcpBalancer(name) : new HttpBalancer(name);
    if (port.nodePort === undefined) return { port, hostPort: await balancer.listen(await this.ports.allocate()), protocol, balancer };
    const where = `Service ${service} port ${port.name ?? port.port}: node port ${port.nodePort} on ${loopback}`;
    if (!this.ports.tryHold(port.nodePort)) {
      await balancer.close();
      throw new SlipwayError("CONFLICT", `${where} is already used by this runtime (another Service's node port, an ingress or a replica)`);
    }
    try {
      return { port, hostPort: await balancer.listen(port.nodePort), protocol, balancer };
    } catch (error) {
      this.ports.release(port.nodePort);
      await balancer.close();
      throw new SlipwayError("CONFLICT", `${where} is taken (${describeError(error)})`);
    }
  }

  /** The HTTP balancer behind a port number or name. */
  httpBalancer(port: { number?: number; name?: string }): HttpBalancer | string {
    const entry = this.balancers.find((candidate) => (port.name !== undefined ? candidate.port.name === port.name : candidate.port.port === port.number));
    if (!entry) return `service ${this.spec.name} has no port ${port.name ?? port.number}`;
    if (!(entry.balancer instanceof HttpBalancer)) return `service ${this.spec.name} port ${port.name ?? port.number} is TCP, not HTTP`;
    return entry.balancer;
  }

  setEndpoints(serving: ServingReplica[]): void {
    this.serving = serving;
    for (const entry of this.balancers) {
      const targets: UpstreamTarget[] = [];
      const targetPort = entry.port.targetPort ?? entry.port.port;
      for (const replica of serving) {
        if (!selectorMatches(this.spec.selector, replica.labels)) continue;
        const binding = replica.ports.find((candidate) => (typeof targetPort === "number" ? candidate.containerPort === targetPort : candidate.name === targetPort));
        if (binding) targets.push({ replica: replica.name, port: binding.hostPort });
      }
      entry.balancer.setUpstreams(targets);
    }
  }

  async drain(replica: string, timeoutMs: number): Promise<void> {
    await Promise.all(this.balancers.map((entry) => entry.balancer.drain(replica, timeoutMs)));
  }

  private async closeOne(entry: PortBalancer): Promise<void> {
    await entry.balancer.close();
    this.ports.release(entry.hostPort);
  }

  async close(): Promise<void> {
    await Promise.all(this.balancers.map((entry) => this.closeOne(entry)));
    this.balancers = [];
  }

  state(): ServiceState {
    const endpoints: Record<string, string[]> = {};
    for (const entry of this.balancers) {
      const upstreams = entry.balancer.upstreams();
      endpoints[entry.port.name ?? String(entry.port.port)] = upstreams.map((target) => `${loopback}:${target.port}`);
    }
    return {
      name: this.spec.name,
      spec: this.spec,
      ports: this.balancers.map((entry) => ({ name: entry.port.name, port: entry.port.port, hostPort: entry.hostPort, protocol: entry.protocol })),
      endpoints,
    };
  }
}
