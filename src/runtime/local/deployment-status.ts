/** A Deployment's observed status from its replicas: replica counts, Available and Progressing conditions, completeness. */

import type { DeploymentCondition, DeploymentState } from "../runtime";
import type { DeploymentSpec } from "../types";
import type { Replica } from "./replica";
import { rolloutParameters } from "./rollout";

export interface ProgressClock {
  lastProgressAt: number;
  deadlineExceeded: boolean;
  complete: boolean;
}

export interface StatusInput {
  spec: DeploymentSpec;
  generation: number;
  hash: string;
  revision: number;
  replicas: { replica: Replica; available: boolean; retiring: boolean }[];
  progress: ProgressClock;
}

function condition(type: DeploymentCondition["type"], ok: boolean, reason: string, message: string, since: number): DeploymentCondition {
  return { type, status: ok ? "True" : "False", reason, message, lastTransitionTime: new Date(since).toISOString() };
}

export function deploymentStatus(input: StatusInput): DeploymentState {
  const { spec, hash, progress } = input;
  const live = input.replicas.filter((entry) => !entry.retiring);
  const updated = live.filter((entry) => entry.replica.id.revision === hash);
  const desired = spec.replicas ?? 1;
  const ready = live.filter((entry) => entry.replica.ready).length;
  const available = live.filter((entry) => entry.available).length;
  const updatedAvailable = updated.filter((entry) => entry.available).length;
  const complete = updated.length === desired && updatedAvailable === desired && live.length === desired && input.replicas.length === desired;
  const { maxUnavailable } = rolloutParameters(spec);
  const minAvailable = Math.max(0, desired - maxUnavailable);
  const name = `${spec.name}-${hash}`;
  // Why a new replica cannot start (image missing, no entrypoint) is what the user needs to see first.
  const failing = updated.map((entry) => entry.replica.state()).find((pod) => pod.lastExit?.reason === "StartError" && pod.message && !pod.ready);
  const because = failing ? `: replica ${failing.name} cannot start: ${failing.message}` : "";
  const progressing = complete
    ? condition("Progressing", true, "NewReplicaSetAvailable", `ReplicaSet "${name}" has successfully progressed.`, progress.lastProgressAt)
    : progress.deadlineExceeded
      ? condition("Progressing", false, "ProgressDeadlineExceeded", `ReplicaSet "${name}" has timed out progressing${because}.`, progress.lastProgressAt)
      : condition("Progressing", true, "ReplicaSetUpdated", `ReplicaSet "${name}" is progressing${because}.`, progress.lastProgressAt);
  const availableCondition =
    available >= minAvailable
      ? condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", progress.lastProgressAt)
      : condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", progress.lastProgressAt);
  return {
    name: spec.name,
    spec,
    generation: input.generation,
    observedGeneration: input.generation,
    revision: input.revision,
    templateHash: hash,
    replicas: live.length,
    desiredReplicas: desired,
    updatedReplicas: updated.length,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, desired - available),
    conditions: [availableCondition, progressing],
    complete,
    pods: input.replicas.map((entry) => entry.replica.state()),
  };
}
