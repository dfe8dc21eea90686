/** Static analysis of expressions: which contexts and functions they use, to decide what can be known before a run. */

import { Star } from "@actions/expressions/ast";
import type {
  Binary,
  ContextAccess,
  Expr,
  ExprVisitor,
  FunctionCall,
  Grouping,
  IndexAccess,
  Literal,
  Logical,
  Unary,
} from "@actions/expressions/ast";
import { Expression, type TemplateValue } from "../model";
import { parseExpression, stripTemplateMarkers } from "./parse";

export interface ExpressionReferences {
  /** Context names, lower-cased, e.g. `github`, `needs`. */
  contexts: Set<string>;
  /** Function names, lower-cased, e.g. `success`, `hashfiles`. */
  functions: Set<string>;
}

class ReferenceCollector implements ExprVisitor<void> {
  constructor(readonly found: ExpressionReferences) {}
  visit(expr: Expr): void {
    expr.accept(this);
  }
  visitLiteral(_literal: Literal): void {}
  visitUnary(unary: Unary): void {
    this.visit(unary.expr);
  }
  visitBinary(binary: Binary): void {
    this.visit(binary.left);
    this.visit(binary.right);
  }
  visitLogical(logical: Logical): void {
    for (const arg of logical.args) this.visit(arg);
  }
  visitGrouping(grouping: Grouping): void {
    this.visit(grouping.group);
  }
  visitContextAccess(access: ContextAccess): void {
    this.found.contexts.add(access.name.lexeme.toLowerCase());
  }
  visitIndexAccess(access: IndexAccess): void {
    this.visit(access.expr);
    // The `*` of an object filter is a Star node, which cannot be visited.
    if (!(access.index instanceof Star)) this.visit(access.index);
  }
  visitFunctionCall(call: FunctionCall): void {
    this.found.functions.add(call.functionName.lexeme.toLowerCase());
    for (const arg of call.args) this.visit(arg);
  }
}

function emptyReferences(): ExpressionReferences {
  return { contexts: new Set(), functions: new Set() };
}

const contextsByExpr = new WeakMap<Expr, ReadonlySet<string>>();

/** The (lower-cased) context names a parsed expression reads, cached per parse tree. */
export function contextsUsedBy(expr: Expr): ReadonlySet<string> {
  let contexts = contextsByExpr.get(expr);
  if (!contexts) {
    const found = emptyReferences();
    new ReferenceCollector(found).visit(expr);
    contexts = found.contexts;
    contextsByExpr.set(expr, contexts);
  }
  return contexts;
}

/** The contexts and functions one expression source uses; throws EXPRESSION_INVALID when it does not parse. */
export function expressionReferences(source: string, into: ExpressionReferences = emptyReferences()): ExpressionReferences {
  new ReferenceCollector(into).visit(parseExpression(stripTemplateMarkers(source)));
  return into;
}

/** The contexts and functions used by every Expression inside a template value. */
export function templateReferences(value: TemplateValue, into: ExpressionReferences = emptyReferences()): ExpressionReferences {
  if (value instanceof Expression) return expressionReferences(value.source, into);
  if (Array.isArray(value)) for (const item of value) templateReferences(item, into);
  else if (value !== null && typeof value === "object") for (const item of Object.values(value)) templateReferences(item, into);
  return into;
}
