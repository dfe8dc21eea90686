/** One environment's objects (ConfigMaps, Secrets, Services, Deployments, Jobs, Ingresses) and its ingress entry point; namespaces never share replicas. */

import { join } from "node:path";
import type { RuntimeEvents } from "../events";
import { stableJson } from "../revision";
import type { ApplyAction, LiveState } from "../runtime";
import type { ConfigMapSpec, IngressBackend, IngressSpec, ObjectRef, RuntimeObject, SecretSpec } from "../types";
import type { ConfigSource } from "./container-env";
import { LocalDeployment } from "./deployment";
import { IngressEntryPoint, type BackendResolver } from "./ingress";
import { LocalJob } from "./job";
import type { HttpBalancer } from "./load-balancer";
import type { PortAllocator } from "./ports";
import type { ReplicaContext } from "./replica";
import { LocalService } from "./service-endpoints";
import type { WorkloadHost } from "./workload-host";

export interface NamespaceOptions {
  context: Omit<ReplicaContext, "config">;
  ports: PortAllocator;
  events: RuntimeEvents;
  dataDir: string;
  /** The entry point's port; 0 picks a free one. */
  ingressPort: number;
}

export class LocalNamespace implements WorkloadHost, ConfigSource, BackendResolver {
  readonly context: ReplicaContext;
  readonly ports: PortAllocator;
  readonly events: RuntimeEvents;
  readonly replicasDir: string;
  private readonly configMaps = new Map<string, ConfigMapSpec>();
  private readonly secrets = new Map<string, SecretSpec>();
  private readonly services = new Map<string, LocalService>();
  private readonly deployments = new Map<string, LocalDeployment>();
  private readonly jobs = new Map<string, LocalJob>();
  private readonly ingressSpecs = new Map<string, IngressSpec>();
  private entryPoint: IngressEntryPoint | undefined;

  constructor(
    readonly namespace: string,
    private readonly options: NamespaceOptions,
  ) {
    this.context = { ...options.context, config: this };
    this.ports = options.ports;
    this.events = options.events;
    this.replicasDir = join(options.dataDir, "namespaces", namespace, "replicas");
  }

  get isEmpty(): boolean {
    return [this.configMaps, this.secrets, this.services, this.deployments, this.jobs, this.ingressSpecs].every((map) => map.size === 0);
  }

  configMap(name: string): ConfigMapSpec | undefined {
    return this.configMaps.get(name);
  }

  secret(name: string): SecretSpec | undefined {
    return this.secrets.get(name);
  }

  ingresses(): IngressSpec[] {
    return [...this.ingressSpecs.values()];
  }

  balancerFor(backend: IngressBackend): HttpBalancer | string {
    const service = this.services.get(backend.service.name);
    if (!service) return `service ${backend.service.name} does not exist`;
    return service.httpBalancer(backend.service.port);
  }

  /** The entry point's URL once an Ingress exists. */
  get ingressUrl(): string | undefined {
    return this.entryPoint?.url;
  }

  private existing(object: RuntimeObject): RuntimeObject | undefined {
    switch (object.kind) {
      case "ConfigMap":
        return this.configMaps.get(object.name);
      case "Secret":
        return this.secrets.get(object.name);
      case "Service":
        return this.services.get(object.name)?.spec;
      case "Deployment":
        return this.deployments.get(object.name)?.spec;
      case "Job":
        return this.jobs.get(object.name)?.spec;
      case "Ingress":
        return this.ingressSpecs.get(object.name);
    }
  }

  async apply(object: RuntimeObject): Promise<ApplyAction> {
    const before = this.existing(object);
    if (before && stableJson(before) === stableJson(object)) return "unchanged";
    switch (object.kind) {
      case "ConfigMap":
        this.configMaps.set(object.name, object);
        await this.refreshVolumes();
        break;
      case "Secret":
        this.secrets.set(object.name, object);
        await this.refreshVolumes();
        break;
      case "Service": {
        const service = this.services.get(object.name) ?? new LocalService(object, this.ports);
        await service.configure(object); // a node port that is taken throws here, leaving the service as it was
        this.services.set(object.name, service);
        this.endpointsChanged();
        break;
      }
      case "Deployment": {
        const deployment = this.deployments.get(object.name);
        if (deployment) deployment.update(object);
        else this.deployments.set(object.name, new LocalDeployment(object, this));
        break;
      }
      case "Job":
        // A Job's template is immutable, as in Kubernetes: a changed Job replaces the old one.
        await this.jobs.get(object.name)?.close();
        this.jobs.set(object.name, new LocalJob(object, this));
        break;
      case "Ingress":
        this.ingressSpecs.set(object.name, object);
        if (!this.entryPoint) {
          const entryPoint = new IngressEntryPoint(this.namespace, this);
          await entryPoint.listen(this.options.ingressPort);
          this.entryPoint = entryPoint;
        }
        break;
    }
    return before ? "configured" : "created";
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    switch (ref.kind) {
      case "ConfigMap":
        return this.configMaps.delete(ref.name);
      case "Secret":
        return this.secrets.delete(ref.name);
      case "Service": {
        const service = this.services.get(ref.name);
        this.services.delete(ref.name);
        await service?.close();
        return service !== undefined;
      }
      case "Deployment": {
        const deployment = this.deployments.get(ref.name);
        if (!deployment) return false;
        await deployment.close();
        this.deployments.delete(ref.name);
        this.context.logs.forget(this.namespace, { kind: "Deployment", name: ref.name });
        return true;
      }
      case "Job": {
        const job = this.jobs.get(ref.name);
        this.jobs.delete(ref.name);
        await job?.close();
        return job !== undefined;
      }
      case "Ingress": {
        const existed = this.ingressSpecs.delete(ref.name);
        if (this.ingressSpecs.size === 0) await this.closeEntryPoint();
        return existed;
      }
    }
  }

  private async closeEntryPoint(): Promise<void> {
    const entryPoint = this.entryPoint;
    this.entryPoint = undefined;
    await entryPoint?.close();
  }

  private async refreshVolumes(): Promise<void> {
    const replicas = [...this.deployments.values()].flatMap((deployment) => deployment.allReplicas());
    await Promise.all(replicas.map((replica) => replica.refreshVolumes()));
  }

  endpointsChanged(): void {
    const serving = [...this.deployments.values()].flatMap((deployment) => deployment.servingReplicas());
    for (const service of this.services.values()) service.setEndpoints(serving);
  }

  async drain(replica: string, timeoutMs: number): Promise<void> {
    await Promise.all([...this.services.values()].map((service) => service.drain(replica, timeoutMs)));
  }

  deployment(name: string): LocalDeployment | undefined {
    return this.deployments.get(name);
  }

  job(name: string): LocalJob | undefined {
    return this.jobs.get(name);
  }

  observe(): LiveState {
    const url = this.entryPoint?.url ?? "";
    return {
      namespace: this.namespace,
      deployments: [...this.deployments.values()].map((deployment) => deployment.state()),
      services: [...this.services.values()].map((service) => service.state()),
      ingresses: [...this.ingressSpecs.values()].map((spec) => ({ name: spec.name, spec, url })),
      configMaps: [...this.configMaps.values()],
      secrets: [...this.secrets.values()],
      jobs: [...this.jobs.values()].map((job) => job.state()),
    };
  }

  /** Workloads first (they drain through the balancers), then balancers and the entry point. */
  async close(): Promise<void> {
    await Promise.all([...this.deployments.values()].map((deployment) => deployment.close()));
    await Promise.all([...this.jobs.values()].map((job) => job.close()));
    await Promise.all([...this.services.values()].map((service) => service.close()));
    await this.closeEntryPoint();
    this.deployments.clear();
    this.jobs.clear();
    this.services.clear();
  }
}
