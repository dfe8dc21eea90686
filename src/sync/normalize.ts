/** What diff compares: fields a runtime fills in removed, and the defaults Kubernetes applies made explicit. */

import type { JsonObject, JsonValue } from "../core/json";
import { isJsonObject } from "../core/json";
import { lastAppliedAnnotation, type KubeObject } from "./model";

/** Metadata only a runtime writes. */
const runtimeMetadata = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "ownerReferences"];

/** Annotations only a runtime or a client writes. */
const runtimeAnnotations = [lastAppliedAnnotation, "deployment.kubernetes.io/revision"];

export function normalizeObject(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.status;
  const metadata = copy.metadata;
  if (isJsonObject(metadata)) {
    for (const field of runtimeMetadata) delete metadata[field];
    if (isJsonObject(metadata.annotations)) {
      for (const annotation of runtimeAnnotations) delete metadata.annotations[annotation];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
  }
  applyDefaults(copy);
  return copy;
}

function objectsIn(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

function applyDefaults(object: JsonObject): void {
  const spec = isJsonObject(object.spec) ? object.spec : undefined;
  if (object.kind === "Deployment" && spec && spec.replicas === undefined) spec.replicas = 1;
  const template = spec && isJsonObject(spec.template) ? spec.template : undefined;
  const podSpec = template && isJsonObject(template.spec) ? template.spec : undefined;
  if (podSpec) {
    for (const container of [...objectsIn(podSpec.containers), ...objectsIn(podSpec.initContainers)]) {
      for (const port of objectsIn(container.ports)) port.protocol ??= "TCP";
    }
  }
  if (object.kind === "Service" && spec) {
    for (const port of objectsIn(spec.ports)) {
      port.protocol ??= "TCP";
      if (port.targetPort === undefined && port.port !== undefined) port.targetPort = port.port;
    }
  }
  if (object.kind === "Secret") mergeStringData(object);
}

/** `stringData` is write-only in Kubernetes: it lands base64-encoded in `data`. */
function mergeStringData(secret: JsonObject): void {
  if (!isJsonObject(secret.stringData)) return;
  const data: JsonObject = isJsonObject(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(secret.stringData)) {
    if (typeof value === "string") data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  secret.data = data;
  delete secret.stringData;
}

/** The object as last applied: what the runtime kept, else the last-applied-configuration annotation. */
export function lastAppliedOf(live: { object: KubeObject; lastApplied?: KubeObject }): KubeObject | undefined {
  if (live.lastApplied) return normalizeObject(live.lastApplied);
  const metadata = live.object.metadata;
  const annotation = isJsonObject(metadata) && isJsonObject(metadata.annotations) ? metadata.annotations[lastAppliedAnnotation] : undefined;
  if (typeof annotation !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(annotation);
    return isJsonObject(parsed as JsonValue) ? normalizeObject(parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
