/** Image write-back: rewrite only the matching `image:` fields (and kustomize `images:` tags) of a YAML file, byte for byte elsewhere. */

import { isMap, isPair, isScalar, isSeq, LineCounter, parse, parseAllDocuments, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";
import { SlipwayError } from "../core/errors";
import { describeYamlError } from "./manifests/yaml-documents";
import { imageMatchesName, parseImageReference, type ImageReference } from "./image-reference";

export interface WriteBackResult {
  text: string;
  /** Fields whose value changed. */
  changed: number;
  /** Fields that name the image, changed or already at the new reference. */
  matched: number;
}

interface TextEdit {
  start: number;
  end: number;
  text: string;
  changes: boolean;
}

/**
 * Point every container and init container whose image is `imageName` (any tag or digest) at `newReference`, in all
 * documents, and set `newTag`/`digest` of a kustomization `images:` entry naming it. Everything else keeps its bytes.
 */
export function writeBackImage(file: string, text: string, imageName: string, newReference: string): WriteBackResult {
  const wanted = parseImageReference(newReference);
  if (wanted.tag === undefined && wanted.digest === undefined) {
    throw new SlipwayError("REQUEST_INVALID", `"${newReference}" needs a tag or a digest (registry/name:vX.Y.Z or registry/name@sha256:…)`);
  }
  if (!imageMatchesName(newReference, imageName)) {
    throw new SlipwayError("REQUEST_INVALID", `"${newReference}" is not an image of ${imageName}`);
  }
  const edits = collectImageEdits(file, text, imageName, wanted, newReference);
  if (edits.length === 0) {
    throw new SlipwayError("NOT_FOUND", `${file} has no image field for ${imageName}`, {
      hint: "Promotion rewrites containers[].image, initContainers[].image or a kustomization's images: entry naming the image.",
    });
  }
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return { text: result, changed: edits.filter((edit) => edit.changes).length, matched: edits.length };
}

/** Whether the file names the image in a field write-back would rewrite. */
export function holdsImage(file: string, text: string, imageName: string): boolean {
  const probe = { repository: imageName, tag: "latest" };
  return collectImageEdits(file, text, imageName, probe, `${imageName}:latest`).length > 0;
}

function collectImageEdits(file: string, text: string, imageName: string, wanted: ImageReference, newReference: string): TextEdit[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const list = Array.isArray(documents) ? documents : [];
  const edits: TextEdit[] = [];
  for (const document of list) {
    const error = document.errors[0];
    if (error !== undefined) {
      const described = describeYamlError(text, lineCounter, error);
      throw new SlipwayError("MANIFEST_INVALID", `${file}:${described.line}: ${described.message}`);
    }
    if (document.contents === null) continue;
    collectContainerEdits(document.contents, imageName, newReference, edits);
    if (isMap(document.contents)) collectKustomizeEdits(text, lineCounter, document.contents, imageName, wanted, edits);
  }
  return edits;
}

function pairNamed(map: YAMLMap, key: string): Pair | undefined {
  const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
  return pair && isPair(pair) ? pair : undefined;
}

function stringScalar(node: unknown): Scalar | undefined {
  return isScalar(node) && (typeof node.value === "string" || typeof node.value === "number") ? node : undefined;
}

function collectContainerEdits(node: unknown, imageName: string, newReference: string, edits: TextEdit[]): void {
  if (isSeq(node)) {
    for (const item of node.items) collectContainerEdits(item, imageName, newReference, edits);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if ((key === "containers" || key === "initContainers") && isSeq(pair.value)) {
      for (const container of pair.value.items) {
        if (!isMap(container)) continue;
        const image = stringScalar(pairNamed(container, "image")?.value);
        if (image && imageMatchesName(String(image.value), imageName)) edits.push(replaceScalar(image, newReference));
      }
    }
    collectContainerEdits(pair.value, imageName, newReference, edits);
  }
}

/** A kustomization's `images:` entry whose name or newName is the image: its newTag/digest follow the new reference. */
function collectKustomizeEdits(text: string, lines: LineCounter, root: YAMLMap, imageName: string, wanted: ImageReference, edits: TextEdit[]): void {
  const kind = stringScalar(pairNamed(root, "kind")?.value);
  const images = pairNamed(root, "images")?.value;
  if ((kind !== undefined && kind.value !== "Kustomization") || !isSeq(images)) return;
  for (const entry of images.items) {
    if (!isMap(entry)) continue;
    const name = stringScalar(pairNamed(entry, "name")?.value);
    const newName = stringScalar(pairNamed(entry, "newName")?.value);
    const names = [name, newName].filter((scalar): scalar is Scalar => scalar !== undefined).map((scalar) => String(scalar.value));
    if (!names.some((candidate) => imageMatchesName(candidate, imageName))) continue;
    const tagPair = pairNamed(entry, "newTag");
    const digestPair = pairNamed(entry, "digest");
    if (wanted.digest !== undefined) {
      if (digestPair) edits.push(replaceScalar(digestPair.value as Scalar, wanted.digest));
      else if (tagPair && wanted.tag === undefined) edits.push(...renamePair(text, tagPair, "digest", wanted.digest));
      else edits.push(insertPair(text, lines, entry, "digest", wanted.digest));
      if (tagPair && wanted.tag !== undefined) edits.push(replaceScalar(tagPair.value as Scalar, wanted.tag));
    } else if (wanted.tag !== undefined) {
      if (tagPair) edits.push(replaceScalar(tagPair.value as Scalar, wanted.tag));
      else if (digestPair) edits.push(...renamePair(text, digestPair, "newTag", wanted.tag));
      else edits.push(insertPair(text, lines, entry, "newTag", wanted.tag));
    }
  }
}

function replaceScalar(scalar: Scalar | null | undefined, value: string): TextEdit {
  const node = scalar as Node | null | undefined;
  const range = node?.range;
  if (!scalar || !range) throw new SlipwayError("MANIFEST_INVALID", "an image field has no value to rewrite");
  const isBlock = scalar.type === "BLOCK_LITERAL" || scalar.type === "BLOCK_FOLDED";
  const rendered = isBlock ? JSON.stringify(value) : renderScalar(scalar, value);
  return { start: range[0], end: isBlock ? range[1] - 1 : range[1], text: rendered, changes: String(scalar.value) !== value };
}

/** `newTag: v1` → `digest: sha256:…`: one field, one edit, keeping the separator and the value's quoting. */
function renamePair(text: string, pair: Pair, key: string, value: string): TextEdit[] {
  const keyRange = (pair.key as Node).range;
  const valueEdit = replaceScalar(pair.value as Scalar, value);
  if (!keyRange) throw new SlipwayError("MANIFEST_INVALID", "a kustomize images entry has a key without a position");
  const separator = text.slice(keyRange[1], valueEdit.start);
  return [{ start: keyRange[0], end: valueEdit.end, text: `${key}${separator}${valueEdit.text}`, changes: true }];
}

/** A new `key: value` line under the entry's last field, at its indentation (or `, key: value` in a flow map). */
function insertPair(text: string, lines: LineCounter, entry: YAMLMap, key: string, value: string): TextEdit {
  const last = entry.items[entry.items.length - 1];
  const lastEnd = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range?.[1] ?? 0;
  const rendered = `${key}: ${plainOrQuoted(value)}`;
  if (entry.flow) return { start: lastEnd, end: lastEnd, text: `, ${rendered}`, changes: true };
  const firstKey = entry.items[0].key as Node;
  const column = lines.linePos(firstKey.range?.[0] ?? 0).col;
  const lineEnd = text.indexOf("\n", lastEnd);
  const at = lineEnd < 0 ? text.length : lineEnd;
  return { start: at, end: at, text: `\n${" ".repeat(column - 1)}${rendered}`, changes: true };
}

function renderScalar(scalar: Scalar, value: string): string {
  if (scalar.type === "QUOTE_DOUBLE") return JSON.stringify(value);
  if (scalar.type === "QUOTE_SINGLE") return `'${value.replace(/'/g, "''")}'`;
  return plainOrQuoted(value);
}

/** Plain when YAML reads it back as the same string (`v1.2.3`), quoted when it would not (`1.10`, `true`). */
function plainOrQuoted(value: string): string {
  let readBack: unknown;
  try {
    readBack = parse(value);
  } catch {
    readBack = undefined;
  }
  return readBack === value && !/[\n#]/.test(value) ? value : JSON.stringify(value);
}
