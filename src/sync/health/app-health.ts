/** An application's health: the worst health of its resources (hooks aside), Missing for what git has and the runtime lacks. */

import { isHook, objectRef, refKey, type KubeObject, type LiveObject } from "../model";
import { worstHealth, type HealthStatus } from "./health-status";
import { resourceHealth, type ResourceHealth } from "./resource-health";

export interface ApplicationHealth {
  status: HealthStatus;
  resources: ResourceHealth[];
}

export function applicationHealth(desired: KubeObject[], live: LiveObject[], now?: Date): ApplicationHealth {
  const liveByKey = new Map(live.map((item) => [refKey(objectRef(item.object)), item]));
  const seen = new Set<string>();
  const resources: ResourceHealth[] = [];
  for (const object of desired) {
    if (isHook(object)) continue;
    const ref = objectRef(object);
    seen.add(refKey(ref));
    resources.push({ ref, ...resourceHealth(liveByKey.get(refKey(ref)), now) });
  }
  // Live objects git no longer has still run until pruned, so they still count.
  for (const item of live) {
    const ref = objectRef(item.object);
    if (seen.has(refKey(ref)) || isHook(item.object)) continue;
    resources.push({ ref, ...resourceHealth(item, now) });
  }
  return { status: worstHealth(resources.map((resource) => resource.status)), resources };
}
