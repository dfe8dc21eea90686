/** One sync run against the runtime: PreSync hooks, Sync waves each waited Healthy, prune, PostSync hooks once the app is Healthy; and the restore a rollback does. */

import type { Runtime } from "../../runtime/runtime";
import type { JobSpec } from "../../runtime/types";
import type { HealthStatus } from "../health/health-status";
import { isHook, objectRef, refKey, type KubeObject } from "../model";
import { planSync, type SyncWave } from "../plan";
import type { DesiredObject, DesiredState } from "./desired-state";
import { SyncInterrupted, throwIfInterrupted } from "./interruption";
import type { LiveOptions } from "./live-objects";
import { applyObjects, healthTimeoutMs, observeLive, pruneObjects, runHookJob, waitForHealth, withPathFirst } from "./sync-operation";
import type { SyncRecord } from "./types";

export interface SyncContext {
  runtime: Runtime;
  live: LiveOptions;
  desired: DesiredState;
  prune: boolean;
  /** Put first on hook Jobs' PATH (where `slipway` is). */
  hookPath?: string;
  /** Fires when the sync must stop waiting (the server stopping): the waits throw SyncInterrupted. */
  signal?: AbortSignal;
  onHealth(status: HealthStatus, message?: string): void;
  /** Told the health while a wait goes on (Progressing): the app shows it during a long rollout. */
  onWaiting?(status: HealthStatus, message?: string): void;
}

export interface SyncOutcome {
  ok: boolean;
  /** Whether anything running was changed before the failure (a failed PreSync hook changes nothing). */
  changedRuntime: boolean;
  message: string;
}

function rememberAnnotations(context: SyncContext): void {
  for (const desired of context.desired.objects) {
    const annotations = (desired.kube.metadata as { annotations?: Record<string, string> }).annotations ?? {};
    context.live.annotations.set(refKey(objectRef(desired.kube)), annotations);
  }
}

function byKey(desired: DesiredState): Map<string, DesiredObject> {
  return new Map(desired.objects.map((object) => [refKey(objectRef(object.kube)), object]));
}

async function runHooks(context: SyncContext, wave: SyncWave, objects: Map<string, DesiredObject>): Promise<string | undefined> {
  for (const step of wave.steps) {
    const desired = objects.get(refKey(step.ref));
    if (!desired) continue;
    if (desired.object.kind !== "Job") {
      await applyObjects(context.runtime, [desired]);
      continue;
    }
    const outcome = await runHookJob(context.runtime, desired.namespace, withPathFirst(desired.object as JobSpec, context.hookPath), context.live, step.hook?.deletePolicies ?? ["BeforeHookCreation"], context.signal);
    if (!outcome.ok) return `${wave.phase} ${outcome.message}`;
  }
  return undefined;
}

/** Applies the desired state in Argo CD's order; stops at the first failure (a hook, or a wave not Healthy in time); throws SyncInterrupted when `context.signal` fires. */
export async function executeSync(context: SyncContext, record: SyncRecord): Promise<SyncOutcome> {
  const { runtime, desired, signal } = context;
  throwIfInterrupted(signal);
  const waiting = { signal, onWaiting: context.onWaiting };
  rememberAnnotations(context);
  const live = await observeLive(runtime, desired.namespaces, context.live);
  const plan = planSync(desired.objects.map((object) => object.kube), live, { prune: context.prune });
  const objects = byKey(desired);
  let changed = false;
  let pruned = false;
  const fail = async (message: string): Promise<SyncOutcome> => {
    for (const wave of plan.syncFail) await runHooks(context, wave, objects).catch(() => undefined);
    return { ok: false, changedRuntime: changed, message };
  };
  const prune = async (): Promise<void> => {
    if (pruned) return;
    pruned = true;
    record.pruned.push(...(await pruneObjects(runtime, plan.prune.map((step) => step.object))));
    changed ||= record.pruned.length > 0;
  };
  for (const wave of plan.waves) {
    if (wave.phase === "PostSync") {
      await prune();
      const whole = await waitForHealth(runtime, desired.objects.map((object) => object.kube), desired.namespaces, context.live, healthTimeoutMs(desired.objects.map((object) => object.object)), waiting);
      context.onHealth(whole.health.status, whole.message);
      if (whole.failed) return fail(whole.message ?? "not Healthy");
    }
    const hookSteps = wave.steps.filter((step) => step.action === "hook");
    if (hookSteps.length > 0) {
      const failure = await runHooks(context, { ...wave, steps: hookSteps }, objects);
      if (wave.phase !== "PreSync") changed = true;
      if (failure) return fail(failure);
    }
    const resources = wave.steps.filter((step) => step.action !== "hook").map((step) => objects.get(refKey(step.ref))).filter((object): object is DesiredObject => object !== undefined);
    if (resources.length === 0) continue;
    throwIfInterrupted(signal);
    const lines = await applyObjects(runtime, resources);
    record.applied.push(...lines);
    changed ||= lines.length > 0;
    const waited = await waitForHealth(runtime, resources.map((object) => object.kube), desired.namespaces, context.live, healthTimeoutMs(resources.map((object) => object.object)), waiting);
    context.onHealth(waited.health.status, waited.message);
    if (waited.failed) return fail(waited.message ?? "not Healthy");
  }
  await prune();
  const final = await waitForHealth(runtime, desired.objects.map((object) => object.kube), desired.namespaces, context.live, healthTimeoutMs(desired.objects.map((object) => object.object)), waiting);
  context.onHealth(final.health.status, final.message);
  if (final.failed) return fail(final.message ?? "not Healthy");
  const summary = record.applied.length + record.pruned.length === 0 ? "nothing to change" : `${record.applied.length} applied, ${record.pruned.length} pruned`;
  return { ok: true, changedRuntime: changed, message: summary };
}

/** Puts an earlier desired state back: its objects applied, objects only the failed revision had deleted; no hooks. An interrupted wait leaves it applied, not confirmed Healthy. */
export async function restoreRevision(context: SyncContext, failed: DesiredState): Promise<{ ok: boolean; message?: string }> {
  const { runtime, desired } = context;
  rememberAnnotations(context);
  // Hooks are not part of what runs: a restore neither re-runs nor prunes them.
  const resources = desired.objects.filter((object) => !isHook(object.kube));
  const keep = new Set(desired.objects.map((object) => refKey(objectRef(object.kube))));
  const extra: KubeObject[] = failed.objects.map((object) => object.kube).filter((object) => !isHook(object) && !keep.has(refKey(objectRef(object))));
  await applyObjects(runtime, resources);
  await pruneObjects(runtime, extra);
  try {
    const waited = await waitForHealth(runtime, desired.objects.map((object) => object.kube), desired.namespaces, context.live, healthTimeoutMs(desired.objects.map((object) => object.object)), { signal: context.signal, onWaiting: context.onWaiting });
    context.onHealth(waited.health.status, waited.message);
    return { ok: !waited.failed, message: waited.message };
  } catch (error) {
    if (!(error instanceof SyncInterrupted)) throw error;
    return { ok: false, message: `${error.message} before the restored revision was Healthy` };
  }
}
