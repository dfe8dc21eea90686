/** GitHub Actions expressions: evaluation, string coercion, truthiness, syntax checks and static references. */

export type { ExpressionContexts } from "./evaluate";
export { evaluateCondition, evaluateExpression, evaluateTemplate, evaluateToString } from "./evaluate";
export type { EvaluationOptions, StatusFunctions } from "./functions";
export { checkExpressionSyntax, knownContextNames } from "./parse";
export { coerceToString, formatNumber, isTruthy } from "./expression-data";
export { expressionReferences, templateReferences, type ExpressionReferences } from "./references";
