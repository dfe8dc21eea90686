/** `if:` normalisation as GitHub does it: the condition always contains a status function. */

import { isBasicExpression, isString } from "@actions/workflow-parser";
import { ensureStatusFunction } from "@actions/workflow-parser/model/converter/if-condition";
import { scalarTextOf, type TemplateToken } from "./tokens";

/**
 * `if: cond` and `if: ${{ cond }}` both mean the expression `cond`; without success()/failure()/
 * always()/cancelled() it becomes `success() && (cond)`, and no `if:` at all means `success()`.
 */
export function normalizeCondition(token: TemplateToken | undefined): string {
  if (token === undefined) return "success()";
  const condition = conditionSource(token).trim();
  if (condition === "") return "success()";
  return ensureStatusFunction(condition, token.definitionInfo);
}

function conditionSource(token: TemplateToken): string {
  if (isBasicExpression(token)) return token.expression;
  if (isString(token)) return token.value;
  return scalarTextOf(token) ?? "";
}
