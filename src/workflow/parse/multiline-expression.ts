/**
 * Multi-line strings with embedded `${{ }}`: GitHub's parser builds their `format()` from the YAML
 * *source* (indentation, quotes and folding included), so a `run: |` script would keep its YAML
 * indentation. We rebuild the `format()` from the scalar's real value, as GitHub's service does.
 */

import { parse } from "yaml";

export interface MultilineExpressionToken {
  expression: string;
  /** The scalar as written in the YAML file (a block scalar's indented body, or a quoted string with its quotes). */
  source?: string;
  /** `|`, `|-`, `>`, … for block scalars. */
  blockScalarHeader?: string;
  range?: { start: { line: number }; end: { line: number } };
}

const open = "${{";

/** The scalar's value, read back with a YAML parser from its source text. */
function scalarValue(source: string, blockScalarHeader: string | undefined): string | undefined {
  try {
    const document = blockScalarHeader === undefined ? `value: ${source}\n` : `value: ${blockScalarHeader}\n${source}${source.endsWith("\n") ? "" : "\n"}`;
    const parsed: unknown = parse(document);
    const value = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).value : undefined;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Index just past the `}}` closing the expression that starts at `start`, skipping quoted strings; -1 when unclosed. */
function expressionEnd(text: string, start: number): number {
  let inString = false;
  for (let i = start + open.length; i < text.length; i++) {
    if (text[i] === "'") inString = !inString;
    else if (!inString && text[i] === "}" && text[i - 1] === "}") return i + 1;
  }
  return -1;
}

function escapeFormatText(text: string): string {
  return text.replace(/'/g, "''").replace(/\{/g, "{{").replace(/\}/g, "}}");
}

/** `format('…', a, b)` for a string holding `${{ a }}` and `${{ b }}`; undefined when it cannot be split. */
export function formatExpressionFor(value: string): string | undefined {
  const format: string[] = [];
  const args: string[] = [];
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(open, i);
    if (start < 0) {
      format.push(escapeFormatText(value.slice(i)));
      break;
    }
    const end = expressionEnd(value, start);
    if (end < 0) return undefined;
    format.push(escapeFormatText(value.slice(i, start)), `{${args.length}}`);
    args.push(value.slice(start + open.length, end - 2).trim());
    i = end;
  }
  if (args.length === 0) return undefined;
  return `format('${format.join("")}'${args.map((a) => `, ${a}`).join("")})`;
}

/** The expression to evaluate for a token: rebuilt from the value for multi-line scalars, else the parser's own. */
export function expressionOfToken(token: MultilineExpressionToken): string {
  const multiline = token.range !== undefined && token.range.start.line !== token.range.end.line;
  if (!multiline || token.source === undefined || !token.expression.startsWith("format(")) return token.expression;
  const value = scalarValue(token.source, token.blockScalarHeader);
  if (value === undefined) return token.expression;
  return formatExpressionFor(value) ?? token.expression;
}
