/** Small builders for sync tests: desired objects as JSON and live objects as a runtime would report them. */

import type { JsonObject } from "../../src/core/json";
import type { KubeObject, LiveObject, LiveStatus } from "../../src/sync";

export function deploymentObject(name = "web", options: { image?: string; replicas?: number; annotations?: Record<string, string>; namespace?: string } = {}): KubeObject {
  const metadata: JsonObject = { name, namespace: options.namespace ?? "dev", labels: { app: name } };
  if (options.annotations) metadata.annotations = options.annotations;
  const spec: JsonObject = {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image: options.image ?? `shop/${name}:v1`, ports: [{ containerPort: 3000 }] }] },
    },
  };
  if (options.replicas !== undefined) spec.replicas = options.replicas;
  return { apiVersion: "apps/v1", kind: "Deployment", metadata, spec };
}

export function simpleObject(kind: string, name: string, annotations?: Record<string, string>, extra: JsonObject = {}): KubeObject {
  const metadata: JsonObject = { name };
  if (kind !== "Namespace") metadata.namespace = "dev";
  if (annotations) metadata.annotations = annotations;
  const apiVersion = kind === "Job" ? "batch/v1" : kind === "Ingress" ? "networking.k8s.io/v1" : kind === "Deployment" ? "apps/v1" : "v1";
  return { apiVersion, kind, metadata, ...extra };
}

/** The object as a runtime holds it after applying: runtime metadata and defaults filled in. */
export function asLive(object: KubeObject, status?: LiveStatus, mutate?: (copy: JsonObject) => void): LiveObject {
  const copy = structuredClone(object);
  const metadata = copy.metadata as JsonObject;
  metadata.uid = "5f0c-1";
  metadata.resourceVersion = "42";
  metadata.generation = 1;
  metadata.creationTimestamp = "2025-01-01T00:00:00Z";
  mutate?.(copy);
  return status ? { object: copy, status } : { object: copy };
}
