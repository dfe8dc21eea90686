/** What a file points the image at today: a container's `image:`, or a kustomize `images:` entry's name + newTag/digest. */

import { parseAllDocuments } from "yaml";
import { imageMatchesName } from "./image-reference";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function containerImages(node: unknown, imageName: string, found: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) containerImages(item, imageName, found);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
      for (const container of value) {
        const image = isObject(container) ? container.image : undefined;
        if (typeof image === "string" && imageMatchesName(image, imageName)) found.push(image);
      }
    }
    containerImages(value, imageName, found);
  }
}

function kustomizeImages(root: Record<string, Json>, imageName: string, found: string[]): void {
  if ((root.kind !== undefined && root.kind !== "Kustomization") || !Array.isArray(root.images)) return;
  for (const entry of root.images) {
    if (!isObject(entry)) continue;
    const names = [entry.name, entry.newName].filter((name): name is string => typeof name === "string");
    if (!names.some((name) => imageMatchesName(name, imageName))) continue;
    const repository = typeof entry.newName === "string" ? entry.newName : names[0];
    const tag = entry.newTag === undefined || entry.newTag === null ? "" : `:${String(entry.newTag)}`;
    const digest = typeof entry.digest === "string" ? `@${entry.digest}` : "";
    found.push(`${repository}${tag}${digest}`);
  }
}

/** Every reference to the image in the file, in document order (invalid YAML yields none: write-back reports it). */
export function imagesInFile(text: string, imageName: string): string[] {
  const found: string[] = [];
  const documents = parseAllDocuments(text);
  for (const document of Array.isArray(documents) ? documents : []) {
    if (document.errors.length > 0) continue;
    const value: unknown = document.toJS();
    containerImages(value, imageName, found);
    if (isObject(value)) kustomizeImages(value, imageName, found);
  }
  return found;
}
