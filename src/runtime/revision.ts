/** The pod-template hash: a stable digest of a template, so the same template always names the same revision. */

import { createHash } from "node:crypto";
import type { PodTemplate } from "./types";

/** JSON with object keys sorted, so key order in a manifest never changes the hash. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function templateHash(template: PodTemplate): string {
  return createHash("sha256").update(stableJson(template)).digest("hex").slice(0, 10);
}
