/** Reading GitHub's validated TemplateToken tree: locations, typed lookups and conversion to TemplateValue. */

import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from "@actions/workflow-parser";
import type { TemplateToken } from "@actions/workflow-parser/templates/tokens/template-token";
import type { MappingToken } from "@actions/workflow-parser/templates/tokens/mapping-token";
import { TokenType } from "@actions/workflow-parser/templates/tokens/types";
import { expressionOfToken } from "./multiline-expression";
import { Expression, type SourceLocation, type TemplateMap, type TemplateValue } from "../model";

export type { TemplateToken, MappingToken };

export function locationOf(file: string, token: TemplateToken | undefined): SourceLocation {
  const start = token?.range?.start;
  return { file, line: start?.line ?? 1, column: start?.column ?? 1 };
}

/** The value under `key` in a mapping token, if the token is a mapping and has it. */
export function entryOf(mapping: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (mapping === undefined || !isMapping(mapping)) return undefined;
  for (const pair of mapping) if (keyText(pair.key) === key) return pair.value;
  return undefined;
}

/** The key token for `key` in a mapping token (for locations of a key rather than its value). */
export function keyTokenOf(mapping: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (mapping === undefined || !isMapping(mapping)) return undefined;
  for (const pair of mapping) if (keyText(pair.key) === key) return pair.key;
  return undefined;
}

export function entriesOf(mapping: TemplateToken | undefined): { key: string; keyToken: TemplateToken; value: TemplateToken }[] {
  if (mapping === undefined || !isMapping(mapping)) return [];
  return [...mapping].map((pair) => ({ key: keyText(pair.key), keyToken: pair.key, value: pair.value }));
}

export function itemsOf(sequence: TemplateToken | undefined): TemplateToken[] {
  if (sequence === undefined || !isSequence(sequence)) return [];
  return [...sequence];
}

export function keyText(token: TemplateToken): string {
  if (isString(token)) return token.value;
  if (isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  return String(literalOf(token) ?? "");
}

/** A plain string value; undefined for anything else (expressions included). */
export function stringOf(token: TemplateToken | undefined): string | undefined {
  return token !== undefined && isString(token) ? token.value : undefined;
}

/** A scalar rendered as text (a number or boolean as written); undefined for collections and expressions. */
export function scalarTextOf(token: TemplateToken | undefined): string | undefined {
  if (token === undefined) return undefined;
  const literal = literalOf(token);
  return literal === undefined || literal === null ? undefined : String(literal);
}

/** A string, or each string of a sequence; other items are skipped. */
export function stringListOf(token: TemplateToken | undefined): string[] | undefined {
  if (token === undefined) return undefined;
  if (isString(token)) return [token.value];
  if (isSequence(token)) return itemsOf(token).flatMap((item) => (isString(item) ? [item.value] : []));
  return undefined;
}

function literalOf(token: TemplateToken): string | number | boolean | null | undefined {
  if (isString(token) || isNumber(token) || isBoolean(token)) return token.value;
  if (token.templateTokenType === TokenType.Null) return null;
  return undefined;
}

/** Any token as a TemplateValue; expressions become `Expression`s located at their token. */
export function templateValueOf(file: string, token: TemplateToken | undefined): TemplateValue {
  if (token === undefined) return null;
  if (isBasicExpression(token)) return new Expression(expressionOfToken(token), locationOf(file, token));
  if (isSequence(token)) return itemsOf(token).map((item) => templateValueOf(file, item));
  if (isMapping(token)) return templateMapOf(file, token);
  return literalOf(token) ?? null;
}

export function templateMapOf(file: string, token: TemplateToken | undefined): TemplateMap {
  const result: TemplateMap = {};
  for (const { key, value } of entriesOf(token)) result[key] = templateValueOf(file, value);
  return result;
}

/** A value that is present, or the default when the key is absent. */
export function templateValueOr(file: string, token: TemplateToken | undefined, fallback: TemplateValue): TemplateValue {
  return token === undefined ? fallback : templateValueOf(file, token);
}
