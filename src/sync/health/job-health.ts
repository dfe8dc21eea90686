/** Job health by Argo CD's rules: conditions first (Complete, Failed, Suspended), else the runtime's counters. */

import type { LiveObject } from "../model";
import type { Health } from "./health-status";
import { liveStatusOf, specFlag, specNumber } from "./live-status";

export function jobHealth(live: LiveObject): Health {
  const status = liveStatusOf(live);
  const conditions = (status.conditions ?? []).filter((condition) => condition.status === "True");
  const failed = conditions.find((condition) => condition.type === "Failed");
  if (failed) return { status: "Degraded", message: failed.message ?? "Job failed" };
  const suspended = conditions.find((condition) => condition.type === "Suspended");
  if (suspended) return { status: "Suspended", message: suspended.message ?? "Job is suspended" };
  const complete = conditions.find((condition) => condition.type === "Complete");
  if (complete) return { status: "Healthy", message: complete.message };
  if (specFlag(live.object, "suspend")) return { status: "Suspended", message: "Job is suspended" };
  const completions = specNumber(live.object, "completions", 1);
  const backoffLimit = specNumber(live.object, "backoffLimit", 6);
  const succeeded = status.succeeded ?? 0;
  const failures = status.failed ?? 0;
  if (succeeded >= completions) return { status: "Healthy", message: `${succeeded} of ${completions} completions succeeded` };
  if (failures > backoffLimit) return { status: "Degraded", message: `Job has reached the specified backoff limit (${failures} failed)` };
  return { status: "Progressing", message: `${status.active ?? 0} running, ${succeeded} of ${completions} succeeded, ${failures} failed` };
}
