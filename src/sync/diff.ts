/** Desired against live, per object: Synced or OutOfSync with a field-level diff that ignores what runtimes fill in. */

import type { JsonValue } from "../core/json";
import { isJsonObject } from "../core/json";
import { formatFieldPath, type FieldPath } from "../gitops/manifests/problems";
import { compareOptionsAnnotation, formatRef, isHook, objectRef, objectSyncOptions, refKey, type KubeObject, type LiveObject, type ObjectRef, type SyncStatus } from "./model";
import { lastAppliedOf, normalizeObject } from "./normalize";

export interface FieldChange {
  path: string;
  /** undefined: absent on that side. */
  live: JsonValue | undefined;
  desired: JsonValue | undefined;
}

export type DiffReason = "synced" | "missing" | "changed" | "extraneous";

export interface ObjectDiff {
  ref: ObjectRef;
  status: SyncStatus;
  reason: DiffReason;
  changes: FieldChange[];
}

/**
 * One object. Fields the desired object sets must match live (after defaults); fields it dropped since the last
 * apply must be gone from live. Fields nobody in git ever set (runtime defaults) are not differences.
 */
export function diffObject(desired: KubeObject | undefined, live: LiveObject | undefined): ObjectDiff {
  if (desired === undefined && live === undefined) throw new Error("diffObject needs a desired or a live object");
  const ref = objectRef(desired ?? (live as LiveObject).object);
  if (live === undefined) return { ref, status: "OutOfSync", reason: "missing", changes: [] };
  if (desired === undefined) return { ref, status: "OutOfSync", reason: "extraneous", changes: [] };
  const wanted = normalizeObject(desired);
  const actual = normalizeObject(live.object);
  const changes: FieldChange[] = [];
  compareValues(wanted, actual, [], changes);
  const applied = lastAppliedOf(live);
  if (applied) findRemovedFields(applied, wanted, actual, [], changes);
  return { ref, status: changes.length === 0 ? "Synced" : "OutOfSync", reason: changes.length === 0 ? "synced" : "changed", changes };
}

/** Every desired object (hooks aside), then live objects git no longer has. */
export function diffObjects(desired: KubeObject[], live: LiveObject[]): ObjectDiff[] {
  const liveByKey = new Map(live.map((item) => [refKey(objectRef(item.object)), item]));
  const desiredKeys = new Set<string>();
  const diffs: ObjectDiff[] = [];
  for (const object of desired) {
    if (isHook(object)) continue;
    const key = refKey(objectRef(object));
    desiredKeys.add(key);
    diffs.push(diffObject(object, liveByKey.get(key)));
  }
  for (const item of live) {
    if (desiredKeys.has(refKey(objectRef(item.object))) || isHook(item.object)) continue;
    if (objectSyncOptions(item.object, compareOptionsAnnotation).IgnoreExtraneous !== undefined) continue;
    diffs.push(diffObject(undefined, item));
  }
  return diffs;
}

function isEmpty(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

function compareValues(desired: JsonValue | undefined, live: JsonValue | undefined, path: FieldPath, changes: FieldChange[]): void {
  if (isEmpty(desired) && isEmpty(live)) return;
  if (isJsonObject(desired) && isJsonObject(live)) {
    for (const key of Object.keys(desired)) compareValues(desired[key], live[key], [...path, key], changes);
    return;
  }
  if (Array.isArray(desired) && Array.isArray(live)) {
    const length = Math.max(desired.length, live.length);
    for (let i = 0; i < length; i++) {
      if (i >= desired.length) changes.push({ path: formatFieldPath([...path, i]), live: live[i], desired: undefined });
      else if (i >= live.length) changes.push({ path: formatFieldPath([...path, i]), live: undefined, desired: desired[i] });
      else compareValues(desired[i], live[i], [...path, i], changes);
    }
    return;
  }
  if (isEmpty(desired) && !isEmpty(live)) return; // set by the runtime, not by git
  if (JSON.stringify(desired) !== JSON.stringify(live)) changes.push({ path: formatFieldPath(path), live, desired });
}

/** Three-way part: a field the last apply set, git no longer sets, and live still has. */
function findRemovedFields(applied: JsonValue | undefined, desired: JsonValue | undefined, live: JsonValue | undefined, path: FieldPath, changes: FieldChange[]): void {
  if (!isJsonObject(applied) || !isJsonObject(live)) return;
  for (const key of Object.keys(applied)) {
    const wanted = isJsonObject(desired) ? desired[key] : undefined;
    const removedWhole = wanted === undefined && !(isJsonObject(applied[key]) && isJsonObject(live[key]));
    if (!removedWhole) findRemovedFields(applied[key], wanted, live[key], [...path, key], changes);
    else if (live[key] !== undefined && !isEmpty(live[key])) changes.push({ path: formatFieldPath([...path, key]), live: live[key], desired: undefined });
  }
}

function show(value: JsonValue | undefined): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `Deployment dev/web: OutOfSync` and one `path: live → desired` line per change. */
export function formatObjectDiff(diff: ObjectDiff): string {
  const head = `${formatRef(diff.ref)}: ${diff.status}`;
  if (diff.reason === "missing") return `${head} (missing from the runtime)`;
  if (diff.reason === "extraneous") return `${head} (not in git: requires pruning)`;
  return [head, ...diff.changes.map((change) => `  ${change.path}: ${show(change.live)} → ${show(change.desired)}`)].join("\n");
}

/** The whole application: Synced only when every object is. */
export function overallSyncStatus(diffs: ObjectDiff[]): SyncStatus {
  return diffs.every((diff) => diff.status === "Synced") ? "Synced" : "OutOfSync";
}
