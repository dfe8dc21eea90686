/** RollingUpdate and Recreate as pure planning: which replicas to start and which to retire, given what runs now (Kubernetes' deployment controller rules). */

import type { DeploymentSpec } from "../types";

export interface PlannedReplica {
  name: string;
  revision: string;
  /** Ready for at least minReadySeconds. */
  available: boolean;
  createdAt: number;
}

export interface RolloutInput {
  desired: number;
  newRevision: string;
  strategy: "RollingUpdate" | "Recreate";
  maxSurge: number;
  maxUnavailable: number;
  /** Replicas not terminating. */
  current: PlannedReplica[];
  /** Replicas still terminating (Recreate waits for them). */
  terminating: number;
}

export interface RolloutStep {
  start: number;
  retire: string[];
}

/** "25%" of desired, rounded up for surge and down for unavailability; counts pass through. */
export function resolveIntOrPercent(value: number | string | undefined, desired: number, fallback: string, roundUp: boolean): number {
  const raw = value ?? fallback;
  if (typeof raw === "number") return raw;
  const percent = Number(raw.replace(/%$/, ""));
  const scaled = (desired * percent) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function rolloutParameters(spec: DeploymentSpec): Pick<RolloutInput, "desired" | "strategy" | "maxSurge" | "maxUnavailable"> {
  const desired = spec.replicas ?? 1;
  if (spec.strategy?.type === "Recreate") return { desired, strategy: "Recreate", maxSurge: 0, maxUnavailable: desired };
  const rolling = spec.strategy?.rollingUpdate;
  const maxSurge = resolveIntOrPercent(rolling?.maxSurge, desired, "25%", true);
  let maxUnavailable = resolveIntOrPercent(rolling?.maxUnavailable, desired, "25%", false);
  // Kubernetes never lets both be zero; a rollout must be able to move.
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { desired, strategy: "RollingUpdate", maxSurge, maxUnavailable };
}

/** Scale-down order: unavailable first, then the youngest. */
function byRetirementOrder(a: PlannedReplica, b: PlannedReplica): number {
  if (a.available !== b.available) return a.available ? 1 : -1;
  return b.createdAt - a.createdAt;
}

export function planRollout(input: RolloutInput): RolloutStep {
  const fresh = input.current.filter((replica) => replica.revision === input.newRevision);
  const old = input.current.filter((replica) => replica.revision !== input.newRevision);
  const retire: string[] = [];
  let start = 0;
  if (fresh.length > input.desired) {
    retire.push(...[...fresh].sort(byRetirementOrder).slice(0, fresh.length - input.desired).map((replica) => replica.name));
  }

  if (input.strategy === "Recreate") {
    if (old.length > 0) return { start: 0, retire: [...retire, ...old.map((replica) => replica.name)] };
    if (input.terminating > 0) return { start: 0, retire };
    return { start: Math.max(0, input.desired - fresh.length), retire };
  }

  if (old.length === 0) return { start: Math.max(0, input.desired - fresh.length), retire };

  // Scale up the new revision within the surge budget.
  const maxTotal = input.desired + input.maxSurge;
  const room = Math.max(0, maxTotal - input.current.length);
  const newTarget = Math.min(input.desired, fresh.length + room);
  start = Math.max(0, newTarget - fresh.length);

  // Scale down old replicas without going below the availability floor.
  const minAvailable = input.desired - input.maxUnavailable;
  const freshUnavailable = fresh.filter((replica) => !replica.available).length;
  let maxScaledDown = input.current.length - minAvailable - freshUnavailable;
  if (maxScaledDown <= 0) return { start, retire };
  const ordered = [...old].sort(byRetirementOrder);
  const unhealthy = ordered.filter((replica) => !replica.available).slice(0, maxScaledDown);
  retire.push(...unhealthy.map((replica) => replica.name));
  maxScaledDown -= unhealthy.length;
  const available = input.current.filter((replica) => replica.available).length;
  const healthyBudget = Math.min(maxScaledDown, available - minAvailable);
  if (healthyBudget > 0) retire.push(...ordered.filter((replica) => replica.available).slice(0, healthyBudget).map((replica) => replica.name));
  return { start, retire };
}
