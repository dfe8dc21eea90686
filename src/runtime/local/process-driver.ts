/**
 * The local replica driver: a replica's container is a detached host process tree run from its unpacked OCI
 * image (or the manifest's command on the host when no registry has the image), writing its output straight to
 * log files and recorded durably, so it outlives slipway and is adopted after a restart.
 */

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, openSync, readlinkSync } from "node:fs";
import { SlipwayError, describeError } from "../../core/errors";
import { readProcessEntrySync, isSameProcessRunning } from "../../workflow/executors/host/proc-table";
import { ProcessTreeTracker, processTrackingVariable } from "../../workflow/executors/host/tree-termination";
import type { OrphanReplica, ReplicaDriver, ReplicaExit, ReplicaLaunch, ReplicaOutput, RunningReplica } from "../replica-driver";
import { HostProcessReplica, pollUntilGone, readProcessEnvironment } from "./host-replica";
import type { CollectedRoots, ImageRootCache } from "./image-cache";
import { imageProcess } from "./image-process";
import { ReplicaRegistry, type ReplicaRecord } from "./replica-registry";
import { recoverReplicas, runtimeMarkerVariable } from "./replica-registry-recovery";

/** Volume names as environment variable suffixes: "app-config" → "APP_CONFIG". */
export function mountVariableName(volume: string): string {
  return `SLIPWAY_MOUNT_${volume.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

function processEnv(launch: ReplicaLaunch): Record<string, string> {
  const env: Record<string, string> = { ...launch.env };
  // A host process cannot see /etc/config: it gets the directories where its volumes were written.
  for (const mount of launch.mounts) env[mountVariableName(mount.volume)] = mount.hostPath;
  if (launch.mounts.length > 0) env.SLIPWAY_MOUNTS = `${launch.replicaDir}/mounts`;
  return env;
}

export interface ProcessDriverOptions {
  /** Where replica records are kept; without it replicas are not recorded and never adopted. */
  stateDir?: string;
  /** Unpacked images; without it the manifest's command runs on the host. */
  images?: ImageRootCache;
  /** Orphans nothing took over are ended this long after recovery; default 60 s. */
  orphanGraceMs?: number;
  /** Unpacked image roots no running replica needs are removed once unused this long; default 24 h. */
  imageRetentionMs?: number;
}

/** How often starting a replica also collects unused image roots (only with records: they say what runs). */
const imageCollectionIntervalMs = 60 * 60 * 1000;

interface Program {
  program: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** The unpacked image root it runs from, when it runs from an image. */
  imageRoot?: string;
}

function readExecutable(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

export class ProcessReplicaDriver implements ReplicaDriver {
  readonly isolation = "process" as const;
  readonly resourceLimits = false;
  readonly absoluteMountPaths = false;
  private readonly registry: ReplicaRegistry | undefined;
  private recovery: Promise<void> | undefined;
  private readonly orphanRecords = new Map<string, ReplicaRecord>();
  private graceTimer: NodeJS.Timeout | undefined;
  private lastImageCollection = Date.now();

  constructor(private readonly options: ProcessDriverOptions = {}) {
    this.registry = options.stateDir ? new ReplicaRegistry(options.stateDir) : undefined;
    // Only a driver that records its replicas can find them again.
    if (this.registry) this.orphans = (namespace, workload) => this.findOrphans(namespace, workload);
  }

  readonly orphans?: (namespace: string, workload: { kind: "Deployment" | "Job"; name: string }) => Promise<OrphanReplica[]>;

  /** Once, before the first start: load the records, end stale replicas, keep the adoptable ones for their workloads. */
  private recover(): Promise<void> {
    const registry = this.registry;
    if (!registry) return Promise.resolve();
    this.recovery ??= recoverReplicas(registry).then((result) => {
      for (const record of result.adoptable) this.orphanRecords.set(key(record.namespace, record.name), record);
      if (this.orphanRecords.size > 0) {
        this.graceTimer = setTimeout(() => void this.dropOrphans(), this.options.orphanGraceMs ?? 60_000);
        this.graceTimer.unref();
      }
    });
    return this.recovery;
  }

  private async findOrphans(namespace: string, workload: { kind: "Deployment" | "Job"; name: string }): Promise<OrphanReplica[]> {
    await this.recover();
    const found: OrphanReplica[] = [];
    for (const record of this.orphanRecords.values()) {
      if (record.namespace !== namespace || record.workload.kind !== workload.kind || record.workload.name !== workload.name || !record.template) continue;
      if (!isSameProcessRunning(record.pid, record.startTime)) continue;
      found.push({ name: record.name, revision: record.revision, ports: record.ports, template: record.template, startedAt: record.startedAt });
    }
    return found;
  }

  async dropOrphans(scope?: { namespace: string; workload: { kind: "Deployment" | "Job"; name: string } }): Promise<void> {
    // Closing without ever recovering: no orphan was loaded, and leftover records wait for the next start.
    if (!this.registry || (!scope && !this.recovery)) return;
    await this.recover();
    const dropped = [...this.orphanRecords.values()].filter((record) => !scope || (record.namespace === scope.namespace && record.workload.kind === scope.workload.kind && record.workload.name === scope.workload.name));
    for (const record of dropped) this.orphanRecords.delete(key(record.namespace, record.name));
    if (this.orphanRecords.size === 0) clearTimeout(this.graceTimer);
    await Promise.all(
      dropped.map(async (record) => {
        const tracker = new ProcessTreeTracker({ pid: record.pid, leadsGroup: true }, { name: processTrackingVariable, value: record.trackingId });
        const grace = (record.template?.terminationGracePeriodSeconds ?? 30) * 1000;
        await tracker.terminate(grace, () => isSameProcessRunning(record.pid, record.startTime));
        this.registry?.remove(record.namespace, record.name, record.pid);
      }),
    );
  }

  async start(launch: ReplicaLaunch, output: ReplicaOutput): Promise<RunningReplica> {
    await this.recover();
    const orphan = this.orphanRecords.get(key(launch.namespace, launch.name));
    if (orphan) {
      this.orphanRecords.delete(key(launch.namespace, launch.name));
      if (isSameProcessRunning(orphan.pid, orphan.startTime)) return this.adopt(orphan);
      this.registry?.remove(orphan.namespace, orphan.name, orphan.pid);
    }
    return this.spawnReplica(launch, output);
  }

  /**
   * Removes unpacked image roots that no running replica needs and no start used for `imageRetentionMs`. What
   * runs is read from the replica records (so adopted replicas count); without records nothing is removed.
   */
  async collectImageRoots(): Promise<CollectedRoots | undefined> {
    const { images } = this.options;
    if (!images || !this.registry) return undefined;
    this.lastImageCollection = Date.now();
    const running = this.registry.list().filter((record) => isSameProcessRunning(record.pid, record.startTime));
    // For records from before imageRoot was recorded, the working directory and the executable keep the root they lie in.
    const paths = running.flatMap((record) => [record.imageRoot ?? record.cwd, readExecutable(record.pid)].filter((path): path is string => path !== undefined));
    return images.collect(paths, this.options.imageRetentionMs ?? 24 * 60 * 60 * 1000);
  }

  private adopt(record: ReplicaRecord): RunningReplica {
    const tracker = new ProcessTreeTracker({ pid: record.pid, leadsGroup: true }, { name: processTrackingVariable, value: record.trackingId });
    const env = readProcessEnvironment(record.pid);
    delete env[processTrackingVariable];
    const onExit = (): void => this.registry?.remove(record.namespace, record.name, record.pid);
    return new HostProcessReplica(record.pid, tracker, pollUntilGone(record.pid, record.startTime), record.name, env, record.cwd, onExit, true);
  }

  /** What to run: the image's process mapped onto its unpacked root, or the manifest's command on the host. */
  private async program(launch: ReplicaLaunch): Promise<Program> {
    const container = launch.container;
    const env = processEnv(launch);
    const image = this.options.images ? await this.options.images.prepare(container.image) : undefined;
    if (image) {
      const manifestSetsPath = (container.env ?? []).some((variable) => variable.name === "PATH");
      const resolved = await imageProcess(image, container, env, manifestSetsPath);
      return { program: resolved.program, args: resolved.args, env: resolved.env, cwd: resolved.cwd ?? launch.replicaDir, imageRoot: image.root };
    }
    const [program, ...commandArgs] = container.command;
    if (!program) {
      if (this.options.images) throw new SlipwayError("IMAGE_NOT_FOUND", `image ${container.image} was not found (no registry has it) and container ${container.name} sets no command`);
      throw new SlipwayError("REQUEST_INVALID", `${launch.workload.kind} ${launch.workload.name}: container ${container.name} has no command`);
    }
    return { program, args: [...commandArgs, ...(container.args ?? [])], env, cwd: container.workingDir ?? launch.replicaDir };
  }

  private async spawnReplica(launch: ReplicaLaunch, output: ReplicaOutput): Promise<RunningReplica> {
    const resolved = await this.program(launch);
    const trackingId = randomUUID();
    const env = { ...resolved.env, [processTrackingVariable]: trackingId, ...(this.registry ? { [runtimeMarkerVariable]: this.registry.dir } : {}) };
    // Output goes straight to the log files: no pipe to slipway that would break when slipway goes away.
    const fds = output.files ? [openSync(output.files.stdout, "a"), openSync(output.files.stderr, "a")] : undefined;
    let child;
    try {
      child = spawn(resolved.program, resolved.args, {
        cwd: resolved.cwd,
        env,
        // Its own process group and session: SIGTERM reaches the whole tree, and slipway's death does not.
        detached: true,
        stdio: fds ? ["ignore", fds[0], fds[1]] : ["ignore", "pipe", "pipe"],
      });
    } finally {
      for (const fd of fds ?? []) closeSync(fd);
    }
    const exited = new Promise<ReplicaExit>((resolve) => child.once("exit", (code, signal) => resolve({ exitCode: code, signal })));
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("spawn", () => resolve(child.pid as number));
      child.once("error", (error) =>
        reject(new SlipwayError("REQUEST_INVALID", `replica ${launch.name} could not start ${resolved.program}: ${describeError(error)}`, { cause: error })),
      );
    });
    child.on("error", () => undefined);
    child.stdout?.on("data", (chunk: Buffer) => output.stdout(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.stderr(chunk));
    const startTime = readProcessEntrySync(pid)?.startTime;
    if (this.registry && startTime !== undefined) {
      this.registry.write({
        version: 1,
        namespace: launch.namespace,
        name: launch.name,
        workload: launch.workload,
        revision: launch.revision,
        template: launch.template,
        ports: launch.ports,
        pid,
        startTime,
        trackingId,
        cwd: resolved.cwd,
        ...(resolved.imageRoot ? { imageRoot: resolved.imageRoot } : {}),
        logFiles: output.files,
        startedAt: Date.now(),
      });
    }
    if (Date.now() - this.lastImageCollection > imageCollectionIntervalMs) void this.collectImageRoots().catch(() => undefined);
    const tracker = new ProcessTreeTracker({ pid, leadsGroup: true }, { name: processTrackingVariable, value: trackingId });
    return new HostProcessReplica(pid, tracker, exited, launch.name, resolved.env, resolved.cwd, () => this.registry?.remove(launch.namespace, launch.name, pid));
  }
}
