/** The docker replica driver: each replica is a container on the host network (image pulled by the engine, PORT, env, bind-mounted volumes, resource limits, slipway labels); orphans are found by label. */

import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { SlipwayError, describeError } from "../../core/errors";
import type { OrphanReplica, ReplicaDriver, ReplicaLaunch, ReplicaOutput, RunningReplica } from "../replica-driver";
import { containerLabels, labelFilter, labelKeys, orphanFromLabels } from "./container-labels";
import { ContainerReplica, pipeOutput } from "./container-replica";
import { isNotFound, type DockerEngine } from "./docker-engine";
import { memoryBytes, nanoCpus } from "./quantities";

export interface DockerDriverOptions {
  engine: DockerEngine;
  /** Label value naming this slipway (runtime and data directory): only its own containers are adopted. */
  owner: string;
  /** Orphans nothing took over are stopped and removed this long after recovery; default 60 s. */
  orphanGraceMs?: number;
  /** The labels of the Deployment or Job itself (where the Application's tracking label is). */
  workloadLabels?: (namespace: string, workload: { kind: string; name: string }) => Record<string, string> | undefined;
}

interface OrphanContainer {
  id: string;
  namespace: string;
  workload: { kind: string; name: string };
  orphan: OrphanReplica;
}

type OrphanScope = { namespace: string; workload: { kind: "Deployment" | "Job"; name: string } };

/** The resolved env, with the host's PATH (where the shared resolver starts from) replaced by the image's own. */
export function containerEnv(launch: ReplicaLaunch, imagePath: string | undefined): string[] {
  const env = { ...launch.env };
  const hostPath = process.env.PATH;
  if (env.PATH !== undefined && hostPath) {
    if (env.PATH === hostPath) delete env.PATH;
    else if (imagePath !== undefined) env.PATH = env.PATH.split(hostPath).join(imagePath);
  }
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

function hostConfig(launch: ReplicaLaunch, usedBy: string, logConfig: Docker.HostConfig["LogConfig"] | undefined): Docker.HostConfig {
  const limits = launch.container.resources?.limits;
  const config: Docker.HostConfig = {
    NetworkMode: "host",
    Binds: launch.mounts.map((mount) => `${mount.hostPath}:${mount.mountPath}${mount.readOnly ? ":ro" : ""}`),
    ...(logConfig ? { LogConfig: logConfig } : {}),
  };
  if (limits?.memory !== undefined) {
    config.Memory = memoryBytes(limits.memory, usedBy);
    // No swap beyond the limit, as in Kubernetes.
    config.MemorySwap = config.Memory;
  }
  if (limits?.cpu !== undefined) config.NanoCpus = nanoCpus(limits.cpu, usedBy);
  return config;
}

export class DockerReplicaDriver implements ReplicaDriver {
  readonly isolation = "container" as const;
  readonly resourceLimits = true;
  readonly absoluteMountPaths = true;
  /** Running containers of this owner found at recovery, by namespace/replica, until a Deployment takes them over or they are dropped. */
  private readonly orphanContainers = new Map<string, OrphanContainer>();
  private recovery: Promise<void> | undefined;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DockerDriverOptions) {}

  private get docker(): Docker {
    return this.options.engine.docker;
  }

  async start(launch: ReplicaLaunch, output: ReplicaOutput): Promise<RunningReplica> {
    const usedBy = `${launch.workload.kind} ${launch.namespace}/${launch.workload.name} replica ${launch.name}`;
    await this.options.engine.assertAvailable();
    await this.recover();
    const key = `${launch.namespace}/${launch.name}`;
    const orphan = this.orphanContainers.get(key);
    if (orphan) {
      this.orphanContainers.delete(key);
      const adopted = await this.adopt(orphan.id, launch.name, output);
      if (adopted) return adopted;
    }
    const imagePath = await this.options.engine.ensureImage(launch.container.image);
    const command = launch.container.command;
    const template = launch.template ?? { labels: launch.labels, containers: [launch.container] };
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name: `slipway-${launch.namespace}-${launch.name}-${randomBytes(2).toString("hex")}`,
        Image: launch.container.image,
        Entrypoint: command.length > 0 ? command : undefined,
        Cmd: command.length > 0 ? (launch.container.args ?? []) : launch.container.args,
        WorkingDir: launch.container.workingDir,
        Env: containerEnv(launch, imagePath),
        Labels: containerLabels(this.options.owner, launch, template, this.options.workloadLabels?.(launch.namespace, launch.workload)),
        HostConfig: hostConfig(launch, usedBy, await this.options.engine.logConfig()),
      });
    } catch (error) {
      if (error instanceof SlipwayError) throw error;
      throw new SlipwayError("REQUEST_INVALID", `${usedBy}: the engine refused the container: ${describeError(error)}`, { cause: error });
    }
    // Attached before start, so not even the first line is lost.
    pipeOutput(this.docker, await container.attach({ stream: true, stdout: true, stderr: true }), output);
    try {
      await container.start();
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw new SlipwayError("REQUEST_INVALID", `${usedBy}: the container did not start: ${describeError(error)}`, { cause: error });
    }
    const info = await container.inspect().catch(() => undefined);
    return new ContainerReplica(this.docker, container, container.id, info?.State.Pid || undefined, launch.name);
  }

  /** Attaches to a running orphan: its exit, and its logs from now on. */
  private async adopt(id: string, replica: string, output: ReplicaOutput): Promise<RunningReplica | undefined> {
    const container = this.docker.getContainer(id);
    const info = await container.inspect().catch((error: unknown) => (isNotFound(error) ? undefined : Promise.reject(error)));
    if (!info?.State.Running) return undefined;
    const logs = await container.logs({ follow: true, stdout: true, stderr: true, since: Math.floor(Date.now() / 1000) });
    pipeOutput(this.docker, logs, output);
    return new ContainerReplica(this.docker, container, id, info.State.Pid || undefined, replica);
  }

  /** Once, before the first start: this owner's running containers become orphans to adopt; stopped ones are removed (they can only start fresh). */
  private recover(): Promise<void> {
    this.recovery ??= (async () => {
      const list = await this.docker.listContainers({ all: true, filters: { label: labelFilter(this.options.owner) } });
      for (const info of list) {
        const orphan = info.State === "running" ? orphanFromLabels(info.Labels, info.Created * 1000) : undefined;
        const namespace = info.Labels[labelKeys.namespace];
        if (!orphan || !namespace) {
          await this.docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
          continue;
        }
        const workload = { kind: info.Labels[labelKeys.workloadKind] ?? "", name: info.Labels[labelKeys.workload] ?? "" };
        this.orphanContainers.set(`${namespace}/${orphan.name}`, { id: info.Id, namespace, workload, orphan });
      }
      if (this.orphanContainers.size > 0) {
        this.graceTimer = setTimeout(() => void this.dropOrphans().catch(() => undefined), this.options.orphanGraceMs ?? 60_000);
        this.graceTimer.unref();
      }
    })().catch((error: unknown) => {
      // No engine yet: try again on the next start.
      this.recovery = undefined;
      throw error;
    });
    return this.recovery;
  }

  async orphans(namespace: string, workload: { kind: "Deployment" | "Job"; name: string }): Promise<OrphanReplica[]> {
    await this.recover();
    return [...this.orphanContainers.values()]
      .filter((entry) => entry.namespace === namespace && entry.workload.kind === workload.kind && entry.workload.name === workload.name)
      .map((entry) => entry.orphan);
  }

  /** `docker stop -t <grace>` and remove for the orphans nothing took over (of one workload, or all). */
  async dropOrphans(scope?: OrphanScope): Promise<void> {
    if (!this.recovery) return;
    await this.recovery.catch(() => undefined);
    const dropped = [...this.orphanContainers.entries()].filter(([, entry]) => !scope || (entry.namespace === scope.namespace && entry.workload.kind === scope.workload.kind && entry.workload.name === scope.workload.name));
    for (const [key] of dropped) this.orphanContainers.delete(key);
    if (this.orphanContainers.size === 0) clearTimeout(this.graceTimer);
    await Promise.all(
      dropped.map(async ([, entry]) => {
        const container = this.docker.getContainer(entry.id);
        await container.stop({ t: Math.ceil(entry.orphan.template.terminationGracePeriodSeconds ?? 30) }).catch(() => undefined);
        await container.remove({ force: true }).catch(() => undefined);
      }),
    );
  }

  /** Every container of this owner (running or not), for cleanup and for tests. */
  async containers(namespace?: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: labelFilter(this.options.owner, namespace) } });
  }
}
