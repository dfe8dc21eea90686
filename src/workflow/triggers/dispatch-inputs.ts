/** Validation and coercion of workflow_dispatch / workflow_call inputs against their definitions. */

import { SlipwayError } from "../../core/errors";
import type { InputDefinition } from "../model";

export type InputValue = string | number | boolean;

type Coercion = { value: InputValue } | { problem: string };

function coerceInput(definition: InputDefinition, raw: InputValue): Coercion {
  const text = typeof raw === "string" ? raw : String(raw);
  switch (definition.type) {
    case "boolean":
      if (typeof raw === "boolean") return { value: raw };
      if (text === "true" || text === "false") return { value: text === "true" };
      return { problem: `${JSON.stringify(text)} is not a boolean (expected "true" or "false")` };
    case "number": {
      const number = typeof raw === "number" ? raw : text.trim() === "" ? Number.NaN : Number(text);
      if (Number.isFinite(number)) return { value: number };
      return { problem: `${JSON.stringify(text)} is not a number` };
    }
    case "choice": {
      const options = definition.options ?? [];
      if (options.includes(text)) return { value: text };
      return { problem: `${JSON.stringify(text)} is not one of the options [${options.join(", ")}]` };
    }
    case "environment":
    case "string":
      return { value: text };
  }
}

/** The value an optional input without a default takes on GitHub; a number stays absent. */
function emptyValue(definition: InputDefinition): InputValue | undefined {
  switch (definition.type) {
    case "boolean":
      return false;
    case "number":
      return undefined;
    default:
      return "";
  }
}

/**
 * Applies defaults and coerces the given raw inputs. Unknown inputs, missing required inputs and
 * values of the wrong type are all reported in one INPUT_INVALID error.
 */
export function resolveDispatchInputs(
  definitions: Record<string, InputDefinition>,
  given: Record<string, string>,
): Record<string, InputValue> {
  const problems: string[] = [];
  const resolved: Record<string, InputValue> = {};
  const definedNames = Object.keys(definitions);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(definitions, name)) {
      const known = definedNames.length > 0 ? `defined inputs: ${definedNames.join(", ")}` : "the workflow defines no inputs";
      problems.push(`input "${name}" is not defined (${known})`);
    }
  }
  for (const [name, definition] of Object.entries(definitions)) {
    const raw: InputValue | undefined = Object.hasOwn(given, name) ? given[name] : definition.default;
    // An empty value for a required input counts as missing, as GitHub's form refuses it.
    const missing = raw === undefined || (definition.required && raw === "" && definition.default === undefined);
    if (missing) {
      if (definition.required) {
        problems.push(`input "${name}" is required (${definition.type}${describeOptions(definition)})`);
        continue;
      }
      const empty = emptyValue(definition);
      if (empty !== undefined) resolved[name] = empty;
      continue;
    }
    const coerced = coerceInput(definition, raw);
    if ("problem" in coerced) problems.push(`input "${name}": ${coerced.problem}`);
    else resolved[name] = coerced.value;
  }
  if (problems.length > 0) {
    throw new SlipwayError("INPUT_INVALID", `Invalid workflow inputs: ${problems.join("; ")}`, { details: { problems } });
  }
  return resolved;
}

function describeOptions(definition: InputDefinition): string {
  return definition.type === "choice" && definition.options ? ` one of [${definition.options.join(", ")}]` : "";
}
