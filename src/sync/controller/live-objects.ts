/** Runtime specs as the KubeObjects sync's diff, plan and health work on: desired from the mapping, live from `Runtime.observe`. */

import type { JsonObject, JsonValue } from "../../core/json";
import type { LiveState } from "../../runtime/runtime";
import type { RuntimeKind, RuntimeObject } from "../../runtime/types";
import { hookAnnotation, refKey, type Condition, type KubeObject, type LiveObject, type LiveStatus } from "../model";
import { instanceLabel } from "../manifest-to-runtime";

const apiVersions: Record<RuntimeKind, string> = { ConfigMap: "v1", Secret: "v1", Service: "v1", Deployment: "apps/v1", Job: "batch/v1", Ingress: "networking.k8s.io/v1" };

/** Only Argo CD's annotations matter to sync; the runtime keeps no annotations, so these travel beside the spec. */
export function syncAnnotations(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([key]) => key.startsWith("argocd.argoproj.io/")));
}

function asJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** `{apiVersion, kind, metadata: {name, namespace, annotations}, spec: <the runtime spec>}`. */
export function runtimeObjectToKube(namespace: string, object: RuntimeObject, annotations: Record<string, string> = {}): KubeObject {
  const { kind, name, ...spec } = object;
  const metadata: JsonObject = { name, namespace };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: apiVersions[kind], kind, metadata, spec: asJson(spec) };
}

/** The runtime object a KubeObject made by runtimeObjectToKube carries. */
export function kubeToRuntimeObject(object: KubeObject): RuntimeObject {
  const metadata = object.metadata as JsonObject;
  return { ...(object.spec as JsonObject), kind: object.kind, name: metadata.name } as unknown as RuntimeObject;
}

export interface LiveOptions {
  app: string;
  /** Annotations of what this controller applied, by refKey (the runtime does not keep them). */
  annotations: Map<string, Record<string, string>>;
  /** Hook Jobs this controller ran, by refKey: shown as hooks so diff and prune leave them alone. */
  hooks: Set<string>;
}

/** The app's objects in one namespace (those carrying its instance label), with statuses for health. */
export function liveObjectsOf(state: LiveState, options: LiveOptions): LiveObject[] {
  const namespace = state.namespace;
  const owned = (object: RuntimeObject): boolean => object.labels?.[instanceLabel] === options.app;
  const result: LiveObject[] = [];
  const add = (object: RuntimeObject, status?: LiveStatus, generation?: number): void => {
    if (!owned(object)) return;
    const key = refKey({ kind: object.kind, namespace, name: object.name });
    const annotations = { ...options.annotations.get(key) };
    if (options.hooks.has(key)) annotations[hookAnnotation] ??= "Sync";
    const kube = runtimeObjectToKube(namespace, object, annotations);
    if (generation !== undefined) (kube.metadata as JsonObject).generation = generation;
    result.push(status ? { object: kube, status } : { object: kube });
  };
  for (const config of state.configMaps) add(config);
  for (const secret of state.secrets) add(secret);
  for (const service of state.services) add(service.spec);
  for (const ingress of state.ingresses) add(ingress.spec);
  for (const deployment of state.deployments) {
    const conditions: Condition[] = deployment.conditions.map((condition) => ({ ...condition, lastUpdateTime: condition.lastTransitionTime }));
    add(deployment.spec, {
      observedGeneration: deployment.observedGeneration,
      replicas: deployment.replicas,
      updatedReplicas: deployment.updatedReplicas,
      readyReplicas: deployment.readyReplicas,
      availableReplicas: deployment.availableReplicas,
      unavailableReplicas: deployment.unavailableReplicas,
      conditions,
    }, deployment.generation);
  }
  for (const job of state.jobs) {
    add(job.spec, { active: job.active, succeeded: job.succeeded, failed: job.failed, conditions: job.conditions.map((condition) => ({ ...condition })) });
  }
  return result;
}
