/** Parsing of expression sources with GitHub's lexer and parser, with errors that name the expression and its location. */

import { Lexer, Parser } from "@actions/expressions";
import { TokenType } from "@actions/expressions/lexer";
import type { Expr } from "@actions/expressions/ast";
import { SlipwayError } from "../../core/errors";
import type { SourceLocation } from "../model";
import { extensionFunctionInfo } from "./functions";

/** Every context GitHub defines; contexts given at evaluation time are added to these. */
export const knownContextNames = [
  "github",
  "env",
  "vars",
  "job",
  "jobs",
  "steps",
  "runner",
  "secrets",
  "strategy",
  "matrix",
  "needs",
  "inputs",
] as const;

/** `${{ x }}` → `x`, for sources written with the template markers around a single expression. */
export function stripTemplateMarkers(source: string): string {
  const trimmed = source.trim();
  if (!trimmed.startsWith("${{") || !trimmed.endsWith("}}")) return source;
  const inner = trimmed.slice(3, -2);
  return inner.includes("${{") || inner.includes("}}") ? source : inner;
}

export function describeExpression(source: string, loc?: SourceLocation): string {
  const where = loc ? ` at ${loc.file}:${loc.line}:${loc.column}` : "";
  return `expression \${{ ${source.trim()} }}${where}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parses a source; throws the library's error as is (callers wrap it). */
function parseRaw(source: string, contextNames: readonly string[]): Expr {
  if (source.trim() === "") throw new Error("an expression was expected but the source is empty");
  const tokens = new Lexer(source).lex().tokens;
  for (const token of tokens) {
    // @actions/expressions 0.3.61 unescapes only the first '' of a string literal; redo it from the lexeme.
    if (token.type === TokenType.STRING && token.lexeme.length >= 2) token.value = token.lexeme.slice(1, -1).replace(/''/g, "'");
  }
  return new Parser(tokens, [...contextNames], extensionFunctionInfo).parse();
}

const parseCache = new Map<string, Expr>();
const parseCacheLimit = 2000;

/** Parses an expression against the known contexts plus extra context names; throws EXPRESSION_INVALID. */
export function parseExpression(source: string, extraContextNames: readonly string[] = [], loc?: SourceLocation): Expr {
  const extras = extraContextNames.filter((name) => !(knownContextNames as readonly string[]).includes(name.toLowerCase()));
  const cacheKey = `${extras.join(",")}\u0000${source}`;
  const cached = parseCache.get(cacheKey);
  if (cached) return cached;
  let parsed: Expr;
  try {
    parsed = parseRaw(source, [...knownContextNames, ...extras]);
  } catch (error) {
    throw new SlipwayError("EXPRESSION_INVALID", `Invalid ${describeExpression(source, loc)}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (parseCache.size >= parseCacheLimit) parseCache.clear();
  parseCache.set(cacheKey, parsed);
  return parsed;
}

/** An error message for lint, or undefined when the expression parses against GitHub's contexts and functions. */
export function checkExpressionSyntax(source: string): string | undefined {
  try {
    parseRaw(source, knownContextNames);
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}
