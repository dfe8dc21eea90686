/** The runtime side of a sync: apply objects per namespace, observe the app's live objects, wait for health, run hook Jobs, prune. */

import type { LiveState, Runtime } from "../../runtime/runtime";
import type { JobSpec, RuntimeKind, RuntimeObject } from "../../runtime/types";
import { applicationHealth, type ApplicationHealth } from "../health/app-health";
import type { HealthStatus } from "../health/health-status";
import { resourceHealth } from "../health/resource-health";
import { objectRef, refKey, type KubeObject, type LiveObject } from "../model";
import { throwIfInterrupted } from "./interruption";
import { liveObjectsOf, type LiveOptions } from "./live-objects";

export interface Placed {
  namespace: string;
  object: RuntimeObject;
}

/** Applies objects grouped by namespace (the runtime validates each group before it changes anything); returns `Kind ns/name: action` lines. */
export async function applyObjects(runtime: Runtime, objects: Placed[]): Promise<string[]> {
  const byNamespace = new Map<string, RuntimeObject[]>();
  for (const { namespace, object } of objects) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), object]);
  const lines: string[] = [];
  for (const [namespace, group] of byNamespace) {
    for (const result of await runtime.apply(namespace, group)) {
      if (result.action !== "unchanged") lines.push(`${result.ref.kind} ${namespace}/${result.ref.name}: ${result.action}`);
    }
  }
  return lines;
}

/** The app's live objects in `namespaces`; `observe` replaces `runtime.observe` (a snapshot shared by many apps). */
export async function observeLive(runtime: Runtime, namespaces: Iterable<string>, options: LiveOptions, observe?: (namespace: string) => Promise<LiveState>): Promise<LiveObject[]> {
  const live: LiveObject[] = [];
  for (const namespace of new Set(namespaces)) live.push(...liveObjectsOf(await (observe ? observe(namespace) : runtime.observe(namespace)), options));
  return live;
}

/** The hook Job with `dir` first on its containers' PATH (after any PATH the manifest sets), so it can run `slipway`. */
export function withPathFirst(job: JobSpec, dir: string | undefined): JobSpec {
  if (dir === undefined) return job;
  const containers = job.template.containers.map((container) => ({ ...container, env: [...(container.env ?? []), { name: "PATH", value: `${dir}:$(PATH)` }] }));
  return { ...job, template: { ...job.template, containers } };
}

/** Resolves on the next runtime event, after `ms`, or when `signal` fires, whichever comes first. */
function nextChange(runtime: Runtime, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const unsubscribe = runtime.events.on(() => done());
    signal?.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** What a caller gives a wait: the signal that interrupts it, and a callback told the health while it is still waiting. */
export interface WaitControl {
  signal?: AbortSignal;
  onWaiting?(status: HealthStatus, message?: string): void;
}

export interface HealthWait {
  health: ApplicationHealth;
  /** Degraded, or still not Healthy when the wait ran out. */
  failed: boolean;
  message?: string;
}

/**
 * Waits until the given desired objects are Healthy in the runtime, or one is Degraded (a Deployment past its
 * progressDeadlineSeconds, a failed Job), or `timeoutMs` passes. Woken by runtime events, with a slow poll as backup.
 * Throws SyncInterrupted at once when `control.signal` fires (the server stopping): that is no verdict on the objects.
 */
export async function waitForHealth(runtime: Runtime, desired: KubeObject[], namespaces: string[], options: LiveOptions, timeoutMs: number, control: WaitControl = {}): Promise<HealthWait> {
  const { signal } = control;
  const keys = new Set(desired.map((object) => refKey(objectRef(object))));
  const deadline = Date.now() + timeoutMs;
  // Runtime events wake the wait; the poll behind them starts short (a 0-replica Deployment emits none) and backs off.
  let pollMs = 10;
  for (;;) {
    throwIfInterrupted(signal);
    const live = (await observeLive(runtime, namespaces, options)).filter((item) => keys.has(refKey(objectRef(item.object))));
    const health = applicationHealth(desired, live, new Date());
    const worst = health.resources.find((resource) => resource.status === health.status);
    const message = worst?.message === undefined ? undefined : `${worst.ref.kind} ${worst.ref.namespace ?? ""}/${worst.ref.name}: ${worst.message}`;
    if (health.status === "Healthy") return { health, failed: false };
    if (health.status === "Degraded") return { health, failed: true, message: message ?? "Degraded" };
    if (Date.now() >= deadline) return { health, failed: true, message: `not healthy after ${Math.round(timeoutMs / 1000)} s: ${message ?? health.status}` };
    control.onWaiting?.(health.status, message);
    await nextChange(runtime, Math.min(pollMs, Math.max(10, deadline - Date.now())), signal);
    pollMs = Math.min(500, pollMs * 2);
  }
}

/** How long to wait for objects: the longest progress deadline among their Deployments (Jobs: their active deadline), plus a margin. */
export function healthTimeoutMs(objects: RuntimeObject[], marginMs = 15_000): number {
  let seconds = 0;
  for (const object of objects) {
    if (object.kind === "Deployment") seconds = Math.max(seconds, object.progressDeadlineSeconds ?? 600);
    if (object.kind === "Job") seconds = Math.max(seconds, object.activeDeadlineSeconds ?? 600);
  }
  return seconds * 1000 + marginMs;
}

export interface HookOutcome {
  ok: boolean;
  message: string;
}

/** Runs a hook as a Job: any earlier Job of that name is deleted first (BeforeHookCreation), then it runs to Complete or Failed; `signal` interrupts the wait (SyncInterrupted). */
export async function runHookJob(runtime: Runtime, namespace: string, job: JobSpec, options: LiveOptions, deletePolicies: string[], signal?: AbortSignal): Promise<HookOutcome> {
  throwIfInterrupted(signal);
  const ref = { kind: "Job" as const, namespace, name: job.name };
  options.hooks.add(refKey(ref));
  await runtime.delete(namespace, { kind: "Job", name: job.name });
  await runtime.apply(namespace, [job]);
  const deadline = Date.now() + healthTimeoutMs([job], 5_000);
  let outcome: HookOutcome | undefined;
  while (outcome === undefined) {
    throwIfInterrupted(signal);
    const state = (await runtime.observe(namespace)).jobs.find((candidate) => candidate.name === job.name);
    const live = state ? (await observeLive(runtime, [namespace], options)).find((item) => refKey(objectRef(item.object)) === refKey(ref)) : undefined;
    const health = resourceHealth(live);
    if (health.status === "Healthy") outcome = { ok: true, message: `hook Job ${namespace}/${job.name} succeeded` };
    else if (health.status === "Degraded" || health.status === "Missing") outcome = { ok: false, message: `hook Job ${namespace}/${job.name} failed: ${health.message ?? health.status}` };
    else if (Date.now() >= deadline) outcome = { ok: false, message: `hook Job ${namespace}/${job.name} did not finish in time` };
    else await nextChange(runtime, 500, signal);
  }
  if ((outcome.ok && deletePolicies.includes("HookSucceeded")) || (!outcome.ok && deletePolicies.includes("HookFailed"))) {
    await runtime.delete(namespace, { kind: "Job", name: job.name });
    options.hooks.delete(refKey(ref));
  }
  return outcome;
}

/** Deletes live objects (the plan's prune list, already in reverse sync order); returns `Kind ns/name: pruned` lines. */
export async function pruneObjects(runtime: Runtime, objects: KubeObject[]): Promise<string[]> {
  const lines: string[] = [];
  for (const object of objects) {
    const ref = objectRef(object);
    if (await runtime.delete(ref.namespace ?? "", { kind: ref.kind as RuntimeKind, name: ref.name })) lines.push(`${ref.kind} ${ref.namespace ?? ""}/${ref.name}: pruned`);
  }
  return lines;
}
