/** Conversion between JSON values and the expression library's data model, and GitHub's string coercion. */

import { data } from "@actions/expressions";
import type { JsonValue } from "../../core/json";

export function toExpressionData(value: JsonValue | undefined): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === "string") return new data.StringData(value);
  if (typeof value === "number") return new data.NumberData(value);
  if (typeof value === "boolean") return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toExpressionData));
  const dictionary = new data.Dictionary();
  for (const [key, item] of Object.entries(value)) dictionary.add(key, toExpressionData(item));
  return dictionary;
}

export function fromExpressionData(value: data.ExpressionData | undefined): JsonValue {
  if (value === undefined) return null;
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.String:
    case data.Kind.Number:
    case data.Kind.Boolean:
      return (value as data.StringData | data.NumberData | data.BooleanData).value;
    case data.Kind.Array:
      return (value as data.Array).values().map(fromExpressionData);
    default: {
      const result: { [key: string]: JsonValue } = {};
      for (const pair of (value as data.Dictionary).pairs()) result[pair.key] = fromExpressionData(pair.value);
      return result;
    }
  }
}

/** A number as GitHub prints it: at most 15 significant decimals, no trailing zeros, `0` for -0. */
export function formatNumber(value: number): string {
  return new data.NumberData(value).coerceString();
}

/** GitHub's coercion of a value to a string: null → "", booleans and numbers printed, objects/arrays as JSON. */
export function coerceToString(value: JsonValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return formatNumber(value);
  return JSON.stringify(value, null, 2);
}

/** GitHub truthiness: false, 0, -0, NaN, "" and null are falsy; everything else, objects and arrays included, is truthy. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  if (typeof value === "string") return value.length > 0;
  return true;
}
