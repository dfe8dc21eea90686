/** Argo CD's ordering of a sync: phase, then sync wave, then kind, then name — and the hook annotations. */

import { SlipwayError } from "../core/errors";
import { annotationsOf, formatRef, hookAnnotation, hookDeletePolicyAnnotation, objectRef, syncWaveAnnotation, type KubeObject } from "./model";

export const syncPhases = ["PreSync", "Sync", "PostSync"] as const;
export type SyncPhase = (typeof syncPhases)[number];

export const hookTypes = ["PreSync", "Sync", "PostSync", "SyncFail", "Skip"] as const;
export type HookType = (typeof hookTypes)[number];

export const hookDeletePolicies = ["HookSucceeded", "HookFailed", "BeforeHookCreation"] as const;
export type HookDeletePolicy = (typeof hookDeletePolicies)[number];

/** gitops-engine's kind order (sync_tasks.go); kinds not listed go after all of these. */
export const kindOrder = [
  "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount",
  "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
  "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
  "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
  "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
] as const;

export function kindRank(kind: string): number {
  const index = (kindOrder as readonly string[]).indexOf(kind);
  return index < 0 ? kindOrder.length : index;
}

/** `argocd.argoproj.io/sync-wave` as an integer (default 0); anything else is a manifest error. */
export function syncWaveOf(object: KubeObject): number {
  const value = annotationsOf(object)[syncWaveAnnotation];
  if (value === undefined || value.trim() === "") return 0;
  if (!/^\s*-?\d+\s*$/.test(value)) {
    throw new SlipwayError("MANIFEST_INVALID", `${formatRef(objectRef(object))}: annotation ${syncWaveAnnotation} "${value}" must be an integer`);
  }
  return Number.parseInt(value, 10);
}

export interface HookSpec {
  types: HookType[];
  deletePolicies: HookDeletePolicy[];
}

/** The hook annotations of an object, or undefined for a regular resource. Delete policy defaults to BeforeHookCreation. */
export function hookOf(object: KubeObject): HookSpec | undefined {
  const annotations = annotationsOf(object);
  const value = annotations[hookAnnotation];
  if (value === undefined) return undefined;
  const where = formatRef(objectRef(object));
  const types = splitList(value).map((entry) => {
    const type = hookTypes.find((candidate) => candidate === entry);
    if (type === undefined) throw new SlipwayError("MANIFEST_INVALID", `${where}: hook "${entry}" is not supported (supported: ${hookTypes.join(", ")})`);
    return type;
  });
  const policies = splitList(annotations[hookDeletePolicyAnnotation] ?? "").map((entry) => {
    const policy = hookDeletePolicies.find((candidate) => candidate === entry);
    if (policy === undefined) throw new SlipwayError("MANIFEST_INVALID", `${where}: hook-delete-policy "${entry}" is not one of ${hookDeletePolicies.join(", ")}`);
    return policy;
  });
  return { types, deletePolicies: policies.length > 0 ? policies : ["BeforeHookCreation"] };
}

function splitList(value: string): string[] {
  return value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
}

/** Wave, then kind, then name: the order within one phase. */
export function compareSyncOrder(a: { wave: number; object: KubeObject }, b: { wave: number; object: KubeObject }): number {
  if (a.wave !== b.wave) return a.wave - b.wave;
  const refA = objectRef(a.object);
  const refB = objectRef(b.object);
  const byKind = kindRank(refA.kind) - kindRank(refB.kind);
  if (byKind !== 0) return byKind;
  return refA.name < refB.name ? -1 : refA.name > refB.name ? 1 : 0;
}
