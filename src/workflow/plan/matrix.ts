/** GitHub's `strategy.matrix` expansion: cartesian product, `exclude`, then `include`, with the 256-job limit. */

import { SlipwayError } from "../../core/errors";
import { isJsonObject, type JsonObject, type JsonValue } from "../../core/json";

export const maxMatrixCombinations = 256;

function invalid(message: string): SlipwayError {
  return new SlipwayError("WORKFLOW_INVALID", `strategy.matrix: ${message}`);
}

export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEquals(item, b[i]));
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEquals(a[key], b[key]));
}

function objectList(value: JsonValue, name: "include" | "exclude"): JsonObject[] {
  if (!Array.isArray(value)) throw invalid(`${name} must be a list of mappings`);
  return value.map((entry, index) => {
    if (!isJsonObject(entry)) throw invalid(`${name}[${index}] must be a mapping`);
    return entry;
  });
}

interface MatrixParts {
  axes: [string, JsonValue[]][];
  include: JsonObject[];
  exclude: JsonObject[];
}

function splitMatrix(matrix: JsonValue): MatrixParts {
  if (!isJsonObject(matrix)) throw invalid("must be a mapping of axes, with optional include and exclude");
  const parts: MatrixParts = { axes: [], include: [], exclude: [] };
  for (const [key, value] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") {
      parts[key] = objectList(value, key);
    } else if (!Array.isArray(value)) {
      throw invalid(`axis "${key}" must be a list of values`);
    } else if (value.length === 0) {
      throw invalid(`axis "${key}" does not contain any values`);
    } else {
      parts.axes.push([key, value]);
    }
  }
  return parts;
}

function cartesianProduct(axes: [string, JsonValue[]][]): JsonObject[] {
  const size = axes.reduce((product, [, values]) => product * values.length, 1);
  if (size > maxMatrixCombinations) throw invalid(`${size} combinations exceed GitHub's limit of ${maxMatrixCombinations}`);
  let combinations: JsonObject[] = [{}];
  for (const [key, values] of axes) {
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })));
  }
  return combinations;
}

/** An exclude entry removes every combination that has all of its key:value pairs (a partial match). */
function isExcluded(combination: JsonObject, exclude: JsonObject[]): boolean {
  return exclude.some((entry) => Object.entries(entry).every(([key, value]) => Object.hasOwn(combination, key) && jsonEquals(combination[key], value)));
}

/**
 * Applies include entries as GitHub documents: an entry is merged into every original combination
 * whose original axis values it does not overwrite (values added by earlier includes may be
 * overwritten); an entry that fits no original combination becomes a combination of its own.
 */
function applyIncludes(originals: JsonObject[], axisKeys: ReadonlySet<string>, include: JsonObject[]): JsonObject[] {
  const expanded = originals.map((combination) => ({ ...combination }));
  const added: JsonObject[] = [];
  for (const entry of include) {
    let merged = false;
    for (const [index, original] of originals.entries()) {
      const fits = Object.entries(entry).every(([key, value]) => !axisKeys.has(key) || jsonEquals(original[key], value));
      if (fits) {
        Object.assign(expanded[index], entry);
        merged = true;
      }
    }
    if (!merged) added.push({ ...entry });
  }
  return [...expanded, ...added];
}

/** Expands an evaluated `strategy.matrix` into its combinations, in GitHub's order. */
export function expandMatrix(matrix: JsonValue): JsonObject[] {
  const { axes, include, exclude } = splitMatrix(matrix);
  const axisKeys = new Set(axes.map(([key]) => key));
  for (const entry of exclude) {
    const unknown = Object.keys(entry).find((key) => !axisKeys.has(key));
    if (unknown !== undefined) throw invalid(`exclude key "${unknown}" does not match any axis of the matrix`);
  }
  let combinations: JsonObject[];
  if (axes.length === 0) {
    // With only include, each entry is one combination.
    combinations = include.map((entry) => ({ ...entry }));
  } else {
    const originals = cartesianProduct(axes).filter((combination) => !isExcluded(combination, exclude));
    combinations = applyIncludes(originals, axisKeys, include);
  }
  if (combinations.length === 0) throw invalid("produces no combinations (define at least one axis or include entry)");
  if (combinations.length > maxMatrixCombinations) {
    throw invalid(`${combinations.length} combinations exceed GitHub's limit of ${maxMatrixCombinations}`);
  }
  return combinations;
}

/** The job instances a matrix yields: a job without a matrix runs once with an empty `matrix` context. */
export function matrixInstances(matrix: JsonValue | undefined): JsonObject[] {
  if (matrix === undefined || matrix === null) return [{}];
  return expandMatrix(matrix);
}
