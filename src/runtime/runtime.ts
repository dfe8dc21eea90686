/** The runtime interface the sync controller talks to: apply, delete, observe live state, logs, exec, events, capabilities. */

import type { RuntimeEvents } from "./events";
import type {
  ConfigMapSpec,
  DeploymentSpec,
  IngressSpec,
  JobSpec,
  ObjectRef,
  RuntimeObject,
  SecretSpec,
  ServiceSpec,
} from "./types";

export interface RuntimeCapabilities {
  /** Whether `resources.limits` are enforced. */
  resourceLimits: boolean;
  isolation: "process" | "container" | "pod";
  /** Whether volume files appear at their absolute mountPath (false: under a per-replica directory, see local/container-env). */
  absoluteMountPaths: boolean;
  /** Whether replicas survive a restart of slipway and are adopted. */
  adoptsReplicas: boolean;
}

export type ApplyAction = "created" | "configured" | "unchanged";

export interface ApplyResult {
  ref: ObjectRef;
  action: ApplyAction;
}

export interface DeploymentCondition {
  type: "Available" | "Progressing";
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface ReplicaState {
  name: string;
  /** Host process id (process isolation). */
  pid?: number;
  /** Container id (container isolation). */
  containerId?: string;
  image: string;
  /** The pod-template hash of the revision this replica runs. */
  revision: string;
  /** Host port on 127.0.0.1 per container port. */
  ports: { name?: string; containerPort: number; hostPort: number }[];
  /** Host port of the first container port (what the process got as PORT). */
  port?: number;
  phase: "Starting" | "Running" | "BackOff" | "Terminating" | "Succeeded" | "Failed";
  ready: boolean;
  restarts: number;
  startedAt?: string;
  lastExit?: { exitCode: number | null; signal: string | null; reason: string; at: string };
  message?: string;
}

export interface DeploymentState {
  name: string;
  spec: DeploymentSpec;
  generation: number;
  observedGeneration: number;
  /** Incrementing revision number of the current template (deployment.kubernetes.io/revision). */
  revision: number;
  /** Pod-template hash of the current template. */
  templateHash: string;
  replicas: number;
  desiredReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  conditions: DeploymentCondition[];
  /** The rollout reached every updated replica available and no old replica left. */
  complete: boolean;
  pods: ReplicaState[];
}

export interface ServiceState {
  name: string;
  spec: ServiceSpec;
  /** Where each service port listens, on 127.0.0.1. */
  ports: { name?: string; port: number; hostPort: number; protocol: "http" | "tcp" }[];
  /** Ready endpoints as "127.0.0.1:port" per service port name or number. */
  endpoints: Record<string, string[]>;
}

export interface IngressState {
  name: string;
  spec: IngressSpec;
  /** The namespace's entry point, e.g. http://127.0.0.1:8080. */
  url: string;
}

export interface JobState {
  name: string;
  spec: JobSpec;
  active: number;
  succeeded: number;
  failed: number;
  conditions: { type: "Complete" | "Failed"; status: "True"; reason: string; message: string }[];
  pods: ReplicaState[];
}

export interface LiveState {
  namespace: string;
  deployments: DeploymentState[];
  services: ServiceState[];
  ingresses: IngressState[];
  configMaps: ConfigMapSpec[];
  secrets: SecretSpec[];
  jobs: JobState[];
}

export interface LogLine {
  replica: string;
  stream: "stdout" | "stderr";
  time: string;
  line: string;
}

export interface LogOptions {
  follow?: boolean;
  /** Lines kept in memory per replica to start from; default all buffered. */
  tail?: number;
  /** Ends a follow. */
  signal?: AbortSignal;
  /** Only this replica's lines. */
  replica?: string;
}

export interface WorkloadRef {
  kind: "Deployment" | "Job";
  name: string;
}

export interface ExecOptions {
  /** A replica name; default the first ready replica. */
  replica?: string;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Runtime {
  readonly name: string;
  readonly capabilities: RuntimeCapabilities;
  readonly events: RuntimeEvents;
  /** Validates every object first (nothing changes on a bad one), then applies them in dependency order. */
  apply(namespace: string, objects: RuntimeObject[]): Promise<ApplyResult[]>;
  /** Returns whether the object existed; a Deployment's replicas leave their balancers and drain before they stop. */
  delete(namespace: string, ref: ObjectRef): Promise<boolean>;
  /** Async because a cluster runtime lists from its API server; the local runtime answers from memory. */
  observe(namespace: string): Promise<LiveState>;
  namespaces(): string[];
  logs(namespace: string, workload: WorkloadRef, options?: LogOptions): AsyncIterable<LogLine>;
  exec(namespace: string, workload: WorkloadRef, command: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Stops every replica, balancer and ingress this runtime started. */
  close(): Promise<void>;
}
