/** A Deployment's maxSurge/maxUnavailable as replica counts, rounded the way Kubernetes rounds them. */

import type { DeploymentManifest, IntOrString } from "./model";

export interface RolloutLimits {
  maxSurge: number;
  maxUnavailable: number;
}

/** Percentages: surge rounds up, unavailable rounds down; if both come to 0, one replica may be unavailable. */
export function rolloutLimits(spec: Pick<DeploymentManifest["spec"], "replicas" | "strategy">): RolloutLimits {
  if (spec.strategy.type === "Recreate") return { maxSurge: 0, maxUnavailable: spec.replicas };
  const maxSurge = scaledValue(spec.strategy.rollingUpdate.maxSurge, spec.replicas, true);
  const maxUnavailable = scaledValue(spec.strategy.rollingUpdate.maxUnavailable, spec.replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
}

export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) return 0;
  const exact = (Number.parseInt(match[1], 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
