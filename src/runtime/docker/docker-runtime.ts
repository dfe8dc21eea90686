/** The `docker` runtime: the local runtime's supervisor, probes, balancers, ingress, rollouts and Jobs, composed with the docker replica driver; reports itself unavailable when no engine answers. */

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { LocalRuntime, type LocalRuntimeOptions } from "../local/local-runtime";
import type { ApplyResult } from "../runtime";
import type { RuntimeObject } from "../types";
import { validateObjects } from "../validate";
import { DockerReplicaDriver } from "./docker-driver";
import { DockerEngine, type DockerEngineOptions } from "./docker-engine";

export interface DockerRuntimeOptions extends Omit<LocalRuntimeOptions, "driver"> {
  engine?: DockerEngineOptions;
  /** Whose containers these are (label slipway.dev/owner); default the runtime name and a digest of the data directory. */
  owner?: string;
}

export function defaultOwner(name: string, dataDir: string): string {
  return `${name}-${createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 12)}`;
}

export class DockerRuntime extends LocalRuntime {
  readonly engine: DockerEngine;
  readonly dockerDriver: DockerReplicaDriver;

  constructor(options: DockerRuntimeOptions) {
    const name = options.name ?? "docker";
    const engine = new DockerEngine(options.engine);
    // The Application label comes from the workload's own labels (Argo CD's tracking label is not on the pod template).
    let workloadLabels: (namespace: string, workload: { kind: string; name: string }) => Record<string, string> | undefined = () => undefined;
    const driver = new DockerReplicaDriver({ engine, owner: options.owner ?? defaultOwner(name, options.dataDir), orphanGraceMs: options.orphanGraceMs, workloadLabels: (namespace, workload) => workloadLabels(namespace, workload) });
    super({ ...options, name, driver });
    workloadLabels = (namespace, workload) => {
      const live = this.snapshot(namespace);
      const owner = workload.kind === "Deployment" ? live.deployments.find((candidate) => candidate.name === workload.name) : live.jobs.find((candidate) => candidate.name === workload.name);
      return owner?.spec.labels;
    };
    this.engine = engine;
    this.dockerDriver = driver;
  }

  /** undefined when Docker Engine answers; otherwise the message Applications targeting this runtime show. */
  unavailableReason(): Promise<string | undefined> {
    return this.engine.unavailableReason();
  }

  /** Bad objects are reported first (as on every runtime); then nothing is applied while no engine answers. */
  override async apply(namespace: string, objects: RuntimeObject[]): Promise<ApplyResult[]> {
    validateObjects(namespace, objects);
    await this.engine.assertAvailable();
    return super.apply(namespace, objects);
  }
}

export function createDockerRuntime(options: DockerRuntimeOptions): DockerRuntime {
  return new DockerRuntime(options);
}
