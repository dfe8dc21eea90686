/** Multi-document YAML into JSON objects that remember their file and the line of every field. */

import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import type { JsonObject, JsonValue } from "../../core/json";
import { isJsonObject } from "../../core/json";
import type { FieldPath, ManifestProblem } from "./problems";

export interface ManifestDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** The line the document's content starts on. */
  line: number;
  value: JsonObject;
  /** The line of the field at `path`, or of its deepest ancestor that exists. */
  lineOf(path: FieldPath): number;
}

export interface DocumentsResult {
  documents: ManifestDocument[];
  problems: ManifestProblem[];
}

export function readManifestDocuments(file: string, text: string): DocumentsResult {
  const lineCounter = new LineCounter();
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const all = Array.isArray(parsed) ? parsed : [];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  all.forEach((document, index) => {
    // Later errors in a broken document mostly follow from the first one.
    const error = document.errors[0];
    if (error !== undefined) {
      problems.push({ file, field: "", ...describeYamlError(text, lineCounter, error) });
      return;
    }
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return;
    const line = lineAt(contents.range?.[0] ?? 0);
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({ file, line, field: "", message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    const json = toJsonValue(value);
    if (!isJsonObject(json)) {
      problems.push({ file, line, field: "", message: "a manifest document must be a mapping with apiVersion, kind and metadata" });
      return;
    }
    const lineOf = (path: FieldPath): number => lineAt(offsetOf(contents, path));
    documents.push({ file, index, line, value: json, lineOf });
  });
  return { documents, problems };
}

/** Where the field at `path` starts: its key for a mapping entry, the item for a list entry; else its deepest existing ancestor. */
function offsetOf(root: Node, path: FieldPath): number {
  let node: Node = root;
  let offset = root.range?.[0] ?? 0;
  for (const segment of path) {
    let next: unknown;
    if (isMap(node) && typeof segment === "string") {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment);
      if (pair === undefined || !isScalar(pair.key)) return offset;
      offset = pair.key.range?.[0] ?? offset;
      next = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
      if (next === undefined || next === null || typeof next !== "object") return offset;
      offset = (next as Node).range?.[0] ?? offset;
    } else return offset;
    if (next === null || next === undefined || typeof next !== "object") return offset;
    node = next as Node;
  }
  return offset;
}

/** A YAML parse error as a line and a one-line message. */
export function describeYamlError(text: string, lineCounter: LineCounter, error: { pos: [number, number]; message: string }): { line: number; message: string } {
  return { line: lastContentLine(text, lineCounter.linePos(error.pos[0]).line), message: `invalid YAML: ${firstLine(error.message)}` };
}

/** An error found at the end of the file (an unclosed quote or bracket) is shown on the last line with content. */
function lastContentLine(text: string, line: number): number {
  const lines = text.split("\n");
  let result = Math.min(line, lines.length);
  while (result > 1 && lines[result - 1].trim() === "") result--;
  return result;
}

function firstLine(message: string): string {
  return message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
}

/** YAML's JavaScript value narrowed to JSON; anything else (a stray function, symbol) becomes null. */
export function toJsonValue(value: unknown): JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) {
    const object: JsonObject = {};
    for (const [key, item] of value) object[String(key)] = toJsonValue(item);
    return object;
  }
  if (typeof value === "object") {
    const object: JsonObject = {};
    for (const [key, item] of Object.entries(value)) object[key] = toJsonValue(item);
    return object;
  }
  return null;
}
