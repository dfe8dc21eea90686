/** The small, replaceable part of a runtime: how one replica's container is started, stopped and exec'd into (process or container). */

import type { ExecResult } from "./runtime";
import type { ContainerSpec, Labels, PodTemplate } from "./types";

export interface PortBinding {
  name?: string;
  containerPort: number;
  /** Free port on 127.0.0.1 the replica listens on (host network). */
  hostPort: number;
}

export interface MountBinding {
  volume: string;
  /** The path the manifest asks for. */
  mountPath: string;
  /** Where the files were written on the host. */
  hostPath: string;
  readOnly: boolean;
}

/** Everything a driver needs to start a replica; env is fully resolved (ConfigMaps, Secrets, PORT). */
export interface ReplicaLaunch {
  namespace: string;
  /** Replica name, unique in the namespace (also its HOSTNAME). */
  name: string;
  workload: { kind: "Deployment" | "Job"; name: string };
  revision: string;
  /** The pod template the replica comes from (a driver that adopts replicas keeps it with them). */
  template?: PodTemplate;
  container: ContainerSpec;
  env: Record<string, string>;
  ports: PortBinding[];
  mounts: MountBinding[];
  labels: Labels;
  /** A per-replica directory the driver may use (scratch space, emptyDir volumes). */
  replicaDir: string;
}

export interface ReplicaExit {
  exitCode: number | null;
  signal: string | null;
  /** Why it ended when the driver knows better than the exit code (a container engine's "OOMKilled"). */
  reason?: string;
}

export interface RunningReplica {
  readonly pid?: number;
  readonly containerId?: string;
  /** Taken over from a previous slipway: without a readiness probe it joins the balancers only once its port answers. */
  readonly adopted?: boolean;
  /** Settles when the container's main process has exited (never rejects). */
  readonly exited: Promise<ReplicaExit>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once everything it started is gone. */
  stop(graceMs: number): Promise<void>;
  /** Runs a command beside the main process, with its environment and working directory. */
  exec(command: string[], timeoutMs: number): Promise<ExecResult>;
}

export interface ReplicaOutput {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Log files a driver may hand to the process itself (so its output outlives slipway); tailed like the callbacks' output. */
  readonly files?: { stdout: string; stderr: string };
}

/** A replica a previous slipway process left running, found by its driver after a restart. */
export interface OrphanReplica {
  name: string;
  revision: string;
  ports: PortBinding[];
  /** The template it was started from, so a replica of an old revision is adopted and then retired by the rollout. */
  template: PodTemplate;
  startedAt: number;
}

export interface ReplicaDriver {
  readonly isolation: "process" | "container";
  readonly resourceLimits: boolean;
  readonly absoluteMountPaths: boolean;
  /** Rejects with a clear message when the replica cannot start (missing command, bad working dir). */
  start(launch: ReplicaLaunch, output: ReplicaOutput): Promise<RunningReplica>;
  /** Replicas of a workload still running from before a restart; start() with one of their names takes that one over instead of starting another. */
  orphans?(namespace: string, workload: { kind: "Deployment" | "Job"; name: string }): Promise<OrphanReplica[]>;
  /** Ends the orphans nothing took over: of one workload (it was deleted), or all (the adoption grace period is over, or the runtime closes). */
  dropOrphans?(scope?: { namespace: string; workload: { kind: "Deployment" | "Job"; name: string } }): Promise<void>;
}
