/** "Did you mean …?" for unknown keys, from the keys the workflow schema defines at that place. */

import { knownKeyLists } from "./json-schema";
import type { PathSegment } from "./yaml-paths";

export function suggestKey(parent: PathSegment[], unknown: string): string | undefined {
  const candidates = keysAt(parent);
  const wanted = unknown.toLowerCase().replace(/_/g, "-");
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(wanted, key);
    if (key !== unknown && distance <= Math.max(1, Math.floor(key.length / 4)) && (best === undefined || distance < best.distance)) {
      best = { key, distance };
    }
  }
  return best?.key;
}

function keysAt(parent: PathSegment[]): readonly string[] {
  if (parent.length === 0) return knownKeyLists.workflow;
  if (parent[0] !== "jobs") return parent[parent.length - 2] === "inputs" ? knownKeyLists.input : [];
  if (parent.length === 2) return knownKeyLists.job;
  if (parent.length === 3 && parent[2] === "strategy") return knownKeyLists.strategy;
  if (parent.length === 4 && parent[2] === "steps") return knownKeyLists.step;
  return [];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
