/** Which workflow path (`jobs.build.steps[2].with`) sits at a line:column, for messages that name the field. */

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export type PathSegment = string | number;

export interface PathAtPosition {
  path: PathSegment[];
  /** `key` when a mapping key starts here, `value` when a value node does (both may start at one spot). */
  role: "key" | "value";
}

export interface YamlPathIndex {
  /** What starts exactly at `line:column`. */
  at: Map<string, PathAtPosition[]>;
  /** Every value node's extent, to find the innermost one holding a position inside a scalar. */
  extents: { start: number; end: number; path: PathSegment[] }[];
  lineStarts: number[];
}

export function positionKey(line: number, column: number): string {
  return `${line}:${column}`;
}

export function indexYamlPaths(content: string): YamlPathIndex {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, { lineCounter, uniqueKeys: false });
  const index: YamlPathIndex = { at: new Map(), extents: [], lineStarts: lineCounter.lineStarts };
  const record = (offset: number | undefined, entry: PathAtPosition): void => {
    if (offset === undefined) return;
    const { line, col } = lineCounter.linePos(offset);
    const key = positionKey(line, col);
    index.at.set(key, [...(index.at.get(key) ?? []), entry]);
  };
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (node === null || typeof node !== "object") return;
    const range = (node as Node).range;
    record(range?.[0], { path, role: "value" });
    if (range) index.extents.push({ start: range[0], end: range[1], path });
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        record(pair.key.range?.[0], { path: childPath, role: "key" });
        walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(document.contents, []);
  return index;
}

/** The path of the innermost value whose extent holds `line:column` (an error inside a long string). */
export function pathContaining(index: YamlPathIndex, line: number, column: number): PathSegment[] | undefined {
  const lineStart = index.lineStarts[line - 1];
  if (lineStart === undefined) return undefined;
  const offset = lineStart + column - 1;
  let best: { start: number; end: number; path: PathSegment[] } | undefined;
  for (const extent of index.extents) {
    if (extent.start > offset || extent.end < offset) continue;
    if (best === undefined || extent.end - extent.start <= best.end - best.start) best = extent;
  }
  return best?.path;
}

/** `jobs.build.steps[2].with`; the empty path is the workflow itself. */
export function formatPath(path: PathSegment[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text === "" ? "the workflow" : text;
}
