/** The kustomize subset slipway renders: resources, namespace, images, commonLabels, namePrefix — anything else is refused by name. */

import { Field } from "../manifests/field";
import type { ManifestProblem } from "../manifests/problems";
import type { ManifestDocument } from "../manifests/yaml-documents";
import { readManifestDocuments } from "../manifests/yaml-documents";

export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

export const supportedKustomizeFields = ["resources", "namespace", "images", "commonLabels", "namePrefix"] as const;

export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export interface KustomizeResource {
  path: string;
  /** Reports a problem at this entry of `resources:`. */
  report(message: string): void;
}

export interface Kustomization {
  file: string;
  resources: KustomizeResource[];
  namespace?: string;
  images: KustomizeImage[];
  commonLabels: Record<string, string>;
  namePrefix?: string;
}

export function parseKustomization(file: string, text: string, problems: ManifestProblem[]): Kustomization | undefined {
  const read = readManifestDocuments(file, text);
  problems.push(...read.problems);
  if (read.problems.length > 0) return undefined;
  const document: ManifestDocument | undefined = read.documents[0];
  if (document === undefined) return { file, resources: [], images: [], commonLabels: {} };
  const root = Field.root(document, problems);
  for (const key of Object.keys(document.value)) {
    if (key === "apiVersion" || key === "kind" || (supportedKustomizeFields as readonly string[]).includes(key)) continue;
    root.key(key).report(`is not supported (slipway's kustomize supports ${supportedKustomizeFields.join(", ")})`);
  }
  const kind = root.key("kind").string();
  if (kind !== undefined && kind !== "Kustomization") root.key("kind").report(`must be Kustomization (got "${kind}")`);
  const images = root.key("images").items().map((item): KustomizeImage => {
    item.isObject();
    const image: KustomizeImage = { name: item.key("name").requiredString() };
    const newName = item.key("newName").string();
    const newTag = scalarText(item.key("newTag"));
    const digest = item.key("digest").string();
    if (newName !== undefined) image.newName = newName;
    if (newTag !== undefined) image.newTag = newTag;
    if (digest !== undefined) image.digest = digest;
    if (newName === undefined && newTag === undefined && digest === undefined) item.report("needs newName, newTag or digest");
    return image;
  });
  const kustomization: Kustomization = {
    file,
    resources: root.key("resources").items().map((item) => ({ path: item.requiredString(), report: (message: string) => item.report(message) })),
    images,
    commonLabels: root.key("commonLabels").stringMap(),
  };
  const namespace = root.key("namespace").string();
  const namePrefix = root.key("namePrefix").string();
  if (namespace !== undefined) kustomization.namespace = namespace;
  if (namePrefix !== undefined) kustomization.namePrefix = namePrefix;
  return kustomization;
}

/** `newTag: 1.2` is a number to YAML but a tag to kustomize. */
function scalarText(field: Field): string | undefined {
  if (typeof field.value === "number") return String(field.value);
  return field.string();
}
