/** The health of one resource, by kind; Missing when the runtime does not have it. */

import { isJsonObject } from "../../core/json";
import { objectRef, type KubeObject, type LiveObject, type ObjectRef } from "../model";
import { deploymentHealth } from "./deployment-health";
import type { Health, HealthStatus } from "./health-status";
import { healthOrder } from "./health-status";
import { jobHealth } from "./job-health";
import { liveStatusOf } from "./live-status";

export function resourceHealth(live: LiveObject | undefined, now?: Date): Health {
  if (live === undefined) return { status: "Missing", message: "Resource does not exist" };
  const kind = objectRef(live.object).kind;
  switch (kind) {
    case "Deployment":
      return deploymentHealth(live, now);
    case "Job":
      return jobHealth(live);
    case "Service":
      return serviceHealth(live);
    case "Application":
      return applicationObjectHealth(live.object);
    default:
      // Namespace, ConfigMap, Secret, Ingress: healthy once they exist.
      return { status: "Healthy" };
  }
}

/** A LoadBalancer Service is Progressing until it has an address (Argo CD); other types are Healthy. */
function serviceHealth(live: LiveObject): Health {
  const spec = live.object.spec;
  if (!isJsonObject(spec) || spec.type !== "LoadBalancer") return { status: "Healthy" };
  const ingress = liveStatusOf(live).loadBalancer?.ingress ?? [];
  return ingress.length > 0 ? { status: "Healthy" } : { status: "Progressing", message: "Waiting for the load balancer's address" };
}

/** An Application managed by another (app of apps) reports its own health in status.health. */
function applicationObjectHealth(object: KubeObject): Health {
  const health = isJsonObject(object.status) ? object.status.health : undefined;
  const status = isJsonObject(health) ? health.status : undefined;
  const known = healthOrder.find((candidate) => candidate === status);
  return known === undefined ? { status: "Healthy" } : { status: known as HealthStatus };
}

export interface ResourceHealth extends Health {
  ref: ObjectRef;
}
