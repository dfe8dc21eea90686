/** Deployment health by Argo CD's rules (kubectl rollout status): Progressing until every updated replica is available. */

import { isJsonObject } from "../../core/json";
import type { LiveObject } from "../model";
import type { Health } from "./health-status";
import { conditionOf, liveStatusOf, specFlag, specNumber } from "./live-status";

/**
 * Suspended when paused; Progressing until the runtime has observed the latest generation, all replicas are updated,
 * old replicas are gone and the updated ones are available; Degraded once the progress deadline passed — reported by
 * the runtime as reason ProgressDeadlineExceeded, or computed from the Progressing condition's lastUpdateTime and `now`.
 */
export function deploymentHealth(live: LiveObject, now?: Date): Health {
  const object = live.object;
  const name = isJsonObject(object.metadata) && typeof object.metadata.name === "string" ? object.metadata.name : "";
  if (specFlag(object, "paused")) return { status: "Suspended", message: "Deployment is paused" };
  const status = liveStatusOf(live);
  const generation = isJsonObject(object.metadata) && typeof object.metadata.generation === "number" ? object.metadata.generation : undefined;
  if (generation !== undefined && status.observedGeneration !== undefined && generation > status.observedGeneration) {
    return { status: "Progressing", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" };
  }
  const progressing = conditionOf(status, "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return { status: "Degraded", message: `Deployment "${name}" exceeded its progress deadline` };
  const replicas = specNumber(object, "replicas", 1);
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  let waiting: string | undefined;
  if (updated < replicas) waiting = `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`;
  else if (total > updated) waiting = `Waiting for rollout to finish: ${total - updated} old replicas are pending termination...`;
  else if (available < updated) waiting = `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`;
  if (waiting === undefined) return { status: "Healthy" };
  if (now !== undefined && deadlinePassed(progressing?.lastUpdateTime, specNumber(object, "progressDeadlineSeconds", 600), now)) {
    return { status: "Degraded", message: `Deployment "${name}" exceeded its progress deadline` };
  }
  return { status: "Progressing", message: waiting };
}

function deadlinePassed(lastProgress: string | undefined, deadlineSeconds: number, now: Date): boolean {
  if (lastProgress === undefined) return false;
  const since = Date.parse(lastProgress);
  return Number.isFinite(since) && now.getTime() - since > deadlineSeconds * 1000;
}
