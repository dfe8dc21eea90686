/** A sync as an ordered plan: phases of waves of steps, SyncFail hooks aside, and what to prune (last, in reverse). */

import { diffObject, type ObjectDiff } from "./diff";
import { isHook, objectRef, objectSyncOptions, refKey, type KubeObject, type LiveObject, type ObjectRef } from "./model";
import { compareSyncOrder, hookOf, syncPhases, syncWaveOf, type HookSpec, type SyncPhase } from "./sync-order";

export type StepAction = "create" | "update" | "unchanged" | "hook";

export interface SyncStep {
  ref: ObjectRef;
  /** The desired object to apply (for a hook: to run). */
  object: KubeObject;
  action: StepAction;
  wave: number;
  hook?: HookSpec;
  diff?: ObjectDiff;
}

export interface SyncWave {
  phase: SyncPhase | "SyncFail";
  wave: number;
  steps: SyncStep[];
}

export interface PruneStep {
  ref: ObjectRef;
  /** The live object to delete. */
  object: KubeObject;
  wave: number;
}

export interface SyncPlan {
  /** In execution order: PreSync waves, Sync waves, PostSync waves. Apply a wave, wait for it to be healthy, go on. */
  waves: SyncWave[];
  /** Run only when the sync fails. */
  syncFail: SyncWave[];
  /** Live objects git no longer has, in reverse sync order; empty unless prune is on. Deleted after the Sync phase. */
  prune: PruneStep[];
  /** Live objects git no longer has that stay: prune is off, or they carry `Prune=false`. */
  pruneSkipped: PruneStep[];
  /** Objects annotated `hook: Skip`: never applied. */
  skipped: ObjectRef[];
  /** Whether anything would change (hooks alone do not count). */
  outOfSync: boolean;
}

export interface PlanOptions {
  prune: boolean;
}

interface Placed {
  phase: SyncPhase | "SyncFail";
  wave: number;
  object: KubeObject;
  step: SyncStep;
}

export function planSync(desired: KubeObject[], live: LiveObject[], options: PlanOptions): SyncPlan {
  const liveByKey = new Map(live.map((item) => [refKey(objectRef(item.object)), item]));
  const placed: Placed[] = [];
  const skipped: ObjectRef[] = [];
  const desiredKeys = new Set<string>();
  let outOfSync = false;
  for (const object of desired) {
    const ref = objectRef(object);
    const wave = syncWaveOf(object);
    const hook = hookOf(object);
    desiredKeys.add(refKey(ref));
    if (hook?.types.includes("Skip")) {
      skipped.push(ref);
      continue;
    }
    if (hook) {
      for (const type of hook.types) {
        if (type !== "Skip") placed.push({ phase: type, wave, object, step: { ref, object, action: "hook", wave, hook } });
      }
      continue;
    }
    const diff = diffObject(object, liveByKey.get(refKey(ref)));
    const action: StepAction = diff.reason === "missing" ? "create" : diff.status === "OutOfSync" ? "update" : "unchanged";
    if (action !== "unchanged") outOfSync = true;
    placed.push({ phase: "Sync", wave, object, step: { ref, object, action, wave, diff } });
  }
  const prune: PruneStep[] = [];
  const pruneSkipped: PruneStep[] = [];
  for (const item of live) {
    const ref = objectRef(item.object);
    if (desiredKeys.has(refKey(ref)) || isHook(item.object)) continue;
    const step: PruneStep = { ref, object: item.object, wave: safeWave(item.object) };
    outOfSync = true;
    if (options.prune && objectSyncOptions(item.object).Prune !== "false") prune.push(step);
    else pruneSkipped.push(step);
  }
  const byReverseOrder = (a: PruneStep, b: PruneStep): number => compareSyncOrder(b, a);
  return {
    waves: syncPhases.flatMap((phase) => groupWaves(placed.filter((entry) => entry.phase === phase), phase)),
    syncFail: groupWaves(placed.filter((entry) => entry.phase === "SyncFail"), "SyncFail"),
    prune: prune.sort(byReverseOrder),
    pruneSkipped: pruneSkipped.sort(byReverseOrder),
    skipped,
    outOfSync,
  };
}

function groupWaves(entries: Placed[], phase: SyncPhase | "SyncFail"): SyncWave[] {
  const sorted = [...entries].sort(compareSyncOrder);
  const waves: SyncWave[] = [];
  for (const entry of sorted) {
    const last = waves[waves.length - 1];
    if (last && last.wave === entry.wave) last.steps.push(entry.step);
    else waves.push({ phase, wave: entry.wave, steps: [entry.step] });
  }
  return waves;
}

/** A live object's wave for prune order; a bad annotation on something being deleted must not block the delete. */
function safeWave(object: KubeObject): number {
  try {
    return syncWaveOf(object);
  } catch {
    return 0;
  }
}
