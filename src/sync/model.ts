/** The shapes sync works on: desired objects as JSON, live objects as a runtime reports them, and their identity. */

import type { JsonObject, JsonValue } from "../core/json";
import { isJsonObject } from "../core/json";

/** A Kubernetes object as JSON: apiVersion, kind, metadata and the rest (a rendered manifest's `raw`). */
export type KubeObject = JsonObject;

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  /** For a Deployment's Progressing condition: when the rollout last made progress (ISO 8601). */
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

/**
 * What a runtime observes besides the object itself. Deployments fill the replica counts and observedGeneration
 * (and either a `Progressing` condition with reason `ProgressDeadlineExceeded`, or its `lastUpdateTime` so the deadline
 * can be computed); Jobs fill active/succeeded/failed (or Complete/Failed conditions); a LoadBalancer Service fills
 * loadBalancer.ingress once it has an address.
 */
export interface LiveStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  active?: number;
  succeeded?: number;
  failed?: number;
  loadBalancer?: { ingress: { ip?: string; hostname?: string }[] };
  conditions?: Condition[];
}

export interface LiveObject {
  /** The object as the runtime holds it: what was applied plus what the runtime filled in (metadata.generation, uid, …). */
  object: KubeObject;
  status?: LiveStatus;
  /** The object as last applied, when the runtime keeps it (Kubernetes: the last-applied-configuration annotation). */
  lastApplied?: KubeObject;
}

export type SyncStatus = "Synced" | "OutOfSync";

export const hookAnnotation = "argocd.argoproj.io/hook";
export const hookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";
export const syncWaveAnnotation = "argocd.argoproj.io/sync-wave";
export const syncOptionsAnnotation = "argocd.argoproj.io/sync-options";
export const compareOptionsAnnotation = "argocd.argoproj.io/compare-options";
export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function metadataOf(object: KubeObject): JsonObject {
  return isJsonObject(object.metadata) ? object.metadata : {};
}

export function annotationsOf(object: KubeObject): Record<string, string> {
  const annotations = metadataOf(object).annotations;
  const result: Record<string, string> = {};
  if (!isJsonObject(annotations)) return result;
  for (const [key, value] of Object.entries(annotations)) if (typeof value === "string") result[key] = value;
  return result;
}

export function objectRef(object: KubeObject): ObjectRef {
  const metadata = metadataOf(object);
  const ref: ObjectRef = { kind: text(object.kind) ?? "", name: text(metadata.name) ?? "" };
  const namespace = text(metadata.namespace);
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}

/** `Deployment/dev/web`, the identity that pairs desired with live. */
export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}

/** `Deployment dev/web`, for people. */
export function formatRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? "" : `${ref.namespace}/`}${ref.name}`;
}

/** Sync options written on an object (`Prune=false,Delete=false`) as a map. */
export function objectSyncOptions(object: KubeObject, annotation = syncOptionsAnnotation): Record<string, string> {
  const options: Record<string, string> = {};
  for (const entry of (annotationsOf(object)[annotation] ?? "").split(",")) {
    const [key, value] = entry.split("=").map((part) => part.trim());
    if (key) options[key] = value ?? "";
  }
  return options;
}

export function isHook(object: KubeObject): boolean {
  return annotationsOf(object)[hookAnnotation] !== undefined;
}
