/** Kustomize-style transforms on raw objects: namespace, common labels, name prefix (with references) and images. */

import type { JsonObject, JsonValue } from "../../core/json";
import { isJsonObject } from "../../core/json";
import { formatImageReference, parseImageReference } from "../image-reference";
import { isNamespaced } from "../manifests/model";
import type { KustomizeImage } from "./kustomization";

function child(object: JsonObject, key: string): JsonObject {
  const existing = object[key];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  object[key] = created;
  return created;
}

function kindOf(object: JsonObject): string {
  return typeof object.kind === "string" ? object.kind : "";
}

function podSpecOf(object: JsonObject): JsonObject | undefined {
  const spec = object.spec;
  if (!isJsonObject(spec) || !isJsonObject(spec.template)) return undefined;
  return isJsonObject(spec.template.spec) ? spec.template.spec : undefined;
}

function objectsIn(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : [];
}

export function setNamespace(object: JsonObject, namespace: string, onlyWhenUnset = false): void {
  if (!isNamespaced(kindOf(object))) return;
  const metadata = child(object, "metadata");
  if (onlyWhenUnset && typeof metadata.namespace === "string") return;
  metadata.namespace = namespace;
}

/** Labels on the object and, as kustomize does, on Deployment selectors, pod templates and Service selectors. */
export function addCommonLabels(object: JsonObject, labels: Record<string, string>): void {
  if (Object.keys(labels).length === 0) return;
  Object.assign(child(child(object, "metadata"), "labels"), labels);
  const kind = kindOf(object);
  const spec = isJsonObject(object.spec) ? object.spec : undefined;
  if (spec === undefined) return;
  if (kind === "Deployment") Object.assign(child(child(spec, "selector"), "matchLabels"), labels);
  if (kind === "Deployment" || kind === "Job") Object.assign(child(child(child(spec, "template"), "metadata"), "labels"), labels);
  if (kind === "Service") Object.assign(child(spec, "selector"), labels);
}

/** Prefix every name but a Namespace's, then follow references to renamed ConfigMaps, Secrets and Services. */
export function addNamePrefix(objects: JsonObject[], prefix: string): void {
  if (prefix === "") return;
  const renamed = new Map<string, string>();
  for (const object of objects) {
    const kind = kindOf(object);
    const metadata = child(object, "metadata");
    if (kind === "Namespace" || typeof metadata.name !== "string") continue;
    renamed.set(`${kind}/${metadata.name}`, `${prefix}${metadata.name}`);
    metadata.name = `${prefix}${metadata.name}`;
  }
  const rename = (holder: JsonObject, key: string, kind: string): void => {
    const name = holder[key];
    if (typeof name !== "string") return;
    const next = renamed.get(`${kind}/${name}`);
    if (next !== undefined) holder[key] = next;
  };
  for (const object of objects) {
    const podSpec = podSpecOf(object);
    if (podSpec) renamePodReferences(podSpec, rename);
    if (kindOf(object) === "Ingress" && isJsonObject(object.spec)) {
      const backends = [object.spec.defaultBackend];
      for (const rule of objectsIn(object.spec.rules)) {
        if (isJsonObject(rule.http)) backends.push(...objectsIn(rule.http.paths).map((path) => path.backend));
      }
      for (const backend of backends) if (isJsonObject(backend) && isJsonObject(backend.service)) rename(backend.service, "name", "Service");
    }
  }
}

type Rename = (holder: JsonObject, key: string, kind: string) => void;

function renamePodReferences(podSpec: JsonObject, rename: Rename): void {
  for (const volume of objectsIn(podSpec.volumes)) {
    if (isJsonObject(volume.configMap)) rename(volume.configMap, "name", "ConfigMap");
    if (isJsonObject(volume.secret)) rename(volume.secret, "secretName", "Secret");
  }
  for (const container of [...objectsIn(podSpec.containers), ...objectsIn(podSpec.initContainers)]) {
    for (const source of objectsIn(container.envFrom)) {
      if (isJsonObject(source.configMapRef)) rename(source.configMapRef, "name", "ConfigMap");
      if (isJsonObject(source.secretRef)) rename(source.secretRef, "name", "Secret");
    }
    for (const env of objectsIn(container.env)) {
      if (!isJsonObject(env.valueFrom)) continue;
      if (isJsonObject(env.valueFrom.configMapKeyRef)) rename(env.valueFrom.configMapKeyRef, "name", "ConfigMap");
      if (isJsonObject(env.valueFrom.secretKeyRef)) rename(env.valueFrom.secretKeyRef, "name", "Secret");
    }
  }
}

/** Kustomize `images:`: an entry applies to every container whose image repository is exactly its name. */
export function setImages(object: JsonObject, images: KustomizeImage[]): void {
  const podSpec = podSpecOf(object);
  if (podSpec === undefined || images.length === 0) return;
  for (const container of [...objectsIn(podSpec.containers), ...objectsIn(podSpec.initContainers)]) {
    if (typeof container.image !== "string") continue;
    container.image = applyImageOverride(container.image, images);
  }
}

export function applyImageOverride(image: string, images: KustomizeImage[]): string {
  const reference = parseImageReference(image);
  const override = images.find((entry) => entry.name === reference.repository);
  if (override === undefined) return image;
  const next = { ...reference };
  if (override.newName !== undefined) next.repository = override.newName;
  if (override.newTag !== undefined) {
    next.tag = override.newTag;
    delete next.digest;
  }
  if (override.digest !== undefined) {
    next.digest = override.digest;
    delete next.tag;
  }
  return formatImageReference(next);
}

/**
 * Argo CD's `spec.source.kustomize.images` entries (`shop/web=registry/shop/web:v2`, `shop/web:v2`,
 * `shop/web@sha256:…`) as kustomize image overrides.
 */
export function parseArgoImageOverride(entry: string): KustomizeImage {
  const equals = entry.indexOf("=");
  const name = equals >= 0 ? entry.slice(0, equals) : parseImageReference(entry).repository;
  const target = parseImageReference(equals >= 0 ? entry.slice(equals + 1) : entry);
  const image: KustomizeImage = { name };
  if (target.repository !== name) image.newName = target.repository;
  if (target.tag !== undefined) image.newTag = target.tag;
  if (target.digest !== undefined) image.digest = target.digest;
  return image;
}
