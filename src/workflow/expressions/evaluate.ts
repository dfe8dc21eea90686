/** Evaluation of `${{ }}` expressions, conditions and templates with GitHub's semantics. */

import { data, Evaluator } from "@actions/expressions";
import { SlipwayError } from "../../core/errors";
import type { JsonValue } from "../../core/json";
import { Expression, type SourceLocation, type TemplateValue } from "../model";
import { coerceToString, fromExpressionData, isTruthy, toExpressionData } from "./expression-data";
import { extensionFunctions, type EvaluationOptions } from "./functions";
import { describeExpression, parseExpression, stripTemplateMarkers } from "./parse";
import { contextsUsedBy } from "./references";

/** Context name → value: github, env, vars, job, jobs, steps, runner, secrets, strategy, matrix, needs, inputs. */
export type ExpressionContexts = Record<string, JsonValue>;

/** Converts only the contexts the expression reads: a large `github.event` costs nothing to `matrix.node`. */
function contextDictionary(contexts: ExpressionContexts, used: ReadonlySet<string>): data.Dictionary {
  const dictionary = new data.Dictionary();
  for (const [name, value] of Object.entries(contexts)) {
    if (used.has(name.toLowerCase())) dictionary.add(name, toExpressionData(value));
  }
  // A context nobody provided reads as null rather than breaking the evaluator.
  for (const name of used) dictionary.add(name, new data.Null());
  return dictionary;
}

/** Evaluates one expression source; `loc` names where it was written in errors. */
export function evaluateSource(
  source: string,
  contexts: ExpressionContexts,
  options: EvaluationOptions = {},
  loc?: SourceLocation,
): JsonValue {
  const contextNames = Object.keys(contexts);
  const parsed = parseExpression(source, contextNames, loc);
  try {
    const evaluator = new Evaluator(parsed, contextDictionary(contexts, contextsUsedBy(parsed)), extensionFunctions(options));
    return fromExpressionData(evaluator.evaluate());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SlipwayError("EXPRESSION_INVALID", `Error evaluating ${describeExpression(source, loc)}: ${reason}`, {
      cause: error,
    });
  }
}

export function evaluateExpression(source: string, contexts: ExpressionContexts, options?: EvaluationOptions): JsonValue {
  return evaluateSource(stripTemplateMarkers(source), contexts, options);
}

/** Evaluates an `if`: GitHub truthiness of the result. The source should already carry its status function. */
export function evaluateCondition(source: string, contexts: ExpressionContexts, options: EvaluationOptions): boolean {
  return isTruthy(evaluateSource(stripTemplateMarkers(source), contexts, options));
}

/** Evaluates every Expression inside a template value; plain values are returned as they are. */
export function evaluateTemplate(value: TemplateValue, contexts: ExpressionContexts, options?: EvaluationOptions): JsonValue {
  if (value instanceof Expression) return evaluateSource(value.source, contexts, options, value.loc);
  if (Array.isArray(value)) return value.map((item) => evaluateTemplate(item, contexts, options));
  if (value !== null && typeof value === "object") {
    const result: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value)) result[key] = evaluateTemplate(item, contexts, options);
    return result;
  }
  return value;
}

/** Evaluates a template value and coerces it to a string as GitHub does for string fields. */
export function evaluateToString(value: TemplateValue, contexts: ExpressionContexts, options?: EvaluationOptions): string {
  return coerceToString(evaluateTemplate(value, contexts, options));
}
