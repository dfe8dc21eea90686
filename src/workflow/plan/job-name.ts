/** The display name GitHub gives a matrix job instance, e.g. `build (20, ubuntu-latest)`. */

import type { JsonObject, JsonValue } from "../../core/json";
import { coerceToString } from "../expressions";

function flattenValues(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.flatMap(flattenValues);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(flattenValues);
  return [coerceToString(value)];
}

/** `build` + `{ node: 20, os: "ubuntu-latest" }` → `build (20, ubuntu-latest)`; no values → the base name. */
export function matrixJobName(baseName: string, combination: JsonObject): string {
  const values = Object.values(combination).flatMap(flattenValues);
  return values.length === 0 ? baseName : `${baseName} (${values.join(", ")})`;
}
