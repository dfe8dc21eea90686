/** The periodic drift check of one app between syncs: the synced revision's objects against live; self-heals when enabled. */

import type { Runtime } from "../../runtime/runtime";
import { diffObjects, formatObjectDiff } from "../diff";
import type { DesiredState } from "./desired-state";
import type { LiveOptions } from "./live-objects";
import { observeLive } from "./sync-operation";
import type { AppStatus, DriftEvent, SyncTrigger } from "./types";

/** The ApplicationController as the drift check sees it. */
export interface DriftHost {
  readonly name: string;
  readonly runtime: Runtime;
  readonly live: LiveOptions;
  readonly state: AppStatus;
  readonly lastGood: DesiredState | undefined;
  readonly automated: { selfHeal: boolean } | undefined;
  emit(event: "drift", payload: DriftEvent): boolean;
  reconcile(trigger: SyncTrigger): Promise<AppStatus>;
}

/** The `Kind ns/name` diff lines of what drifted (none: in sync); marks the app OutOfSync and self-heals when enabled. */
export async function checkDrift(host: DriftHost): Promise<string[]> {
  const desired = host.lastGood;
  if (!desired) return [];
  const live = await observeLive(host.runtime, desired.namespaces, host.live);
  const diffs = diffObjects(desired.objects.map((object) => object.kube), live).filter((diff) => diff.status === "OutOfSync");
  const lines = diffs.map(formatObjectDiff);
  if (lines.length === 0) return lines;
  host.state.sync = "OutOfSync";
  host.state.diff = lines;
  host.emit("drift", { app: host.name, diff: lines });
  if (host.automated?.selfHeal) void host.reconcile({ kind: "self-heal" }).catch(() => undefined);
  return lines;
}
