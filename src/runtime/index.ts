/** The runtime module's public surface: the interface, the input types, and the local runtime. */

export type * from "./types";
export type * from "./runtime";
export type * from "./replica-driver";
export { RuntimeEvents, type RuntimeEvent, type ReplicaEvent, type DeploymentEvent, type JobEvent } from "./events";
export { templateHash } from "./revision";
export { validateObjects } from "./validate";
export { createLocalRuntime, LocalRuntime, type LocalRuntimeOptions } from "./local/local-runtime";
export { ProcessReplicaDriver } from "./local/process-driver";
export { createDockerRuntime, DockerRuntime, type DockerRuntimeOptions } from "./docker/docker-runtime";
