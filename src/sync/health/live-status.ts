/** A live object's status: what the runtime reported, else the object's own `status` (as Kubernetes returns it). */

import type { JsonObject, JsonValue } from "../../core/json";
import { isJsonObject } from "../../core/json";
import type { Condition, LiveObject, LiveStatus } from "../model";

const counters = ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "active", "succeeded", "failed"] as const;

export function liveStatusOf(live: LiveObject): LiveStatus {
  if (live.status) return live.status;
  const raw = live.object.status;
  return isJsonObject(raw) ? parseStatus(raw) : {};
}

function parseStatus(raw: JsonObject): LiveStatus {
  const status: LiveStatus = {};
  for (const counter of counters) {
    const value = raw[counter];
    if (typeof value === "number") status[counter] = value;
  }
  if (Array.isArray(raw.conditions)) status.conditions = raw.conditions.filter(isJsonObject).map(parseCondition);
  const loadBalancer = raw.loadBalancer;
  if (isJsonObject(loadBalancer) && Array.isArray(loadBalancer.ingress)) {
    status.loadBalancer = { ingress: loadBalancer.ingress.filter(isJsonObject).map((entry) => ({ ip: text(entry.ip), hostname: text(entry.hostname) })) };
  }
  return status;
}

function parseCondition(raw: JsonObject): Condition {
  const status = raw.status === "True" || raw.status === "False" ? raw.status : "Unknown";
  return {
    type: text(raw.type) ?? "",
    status,
    reason: text(raw.reason),
    message: text(raw.message),
    lastUpdateTime: text(raw.lastUpdateTime),
    lastTransitionTime: text(raw.lastTransitionTime),
  };
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function conditionOf(status: LiveStatus, type: string): Condition | undefined {
  return status.conditions?.find((condition) => condition.type === type);
}

/** A number field of the live object's spec, or the fallback Kubernetes would default it to. */
export function specNumber(object: JsonObject, field: string, fallback: number): number {
  const spec = object.spec;
  const value = isJsonObject(spec) ? spec[field] : undefined;
  return typeof value === "number" ? value : fallback;
}

export function specFlag(object: JsonObject, field: string): boolean {
  const spec = object.spec;
  return isJsonObject(spec) && spec[field] === true;
}
