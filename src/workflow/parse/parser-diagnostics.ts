/** GitHub parser errors → our diagnostics: a stable code and a message that names the field. */

import type { Diagnostic } from "../model";
import { diagnosticAt, type DiagnosticCode } from "./diagnostics";
import { suggestKey } from "./known-keys";
import { formatPath, pathContaining, positionKey, type PathAtPosition, type PathSegment, type YamlPathIndex } from "./yaml-paths";

export interface ParserError {
  rawMessage: string;
  range?: { start: { line: number; column: number } };
}

const expressionMessage =
  /^(Unexpected end of expression|Unexpected symbol|Unrecognized named-value|Unrecognized function|Too few parameters|Too many parameters|Even number of parameters|Exceeded max|The expression is not closed|The following format string|A template expression is not allowed|An expression was expected|The directive)/;

const tokenTypeNames: Record<string, string> = {
  StringToken: "a string",
  BooleanToken: "a boolean",
  NumberToken: "a number",
  MappingToken: "a mapping",
  SequenceToken: "a sequence",
  BasicExpressionToken: "an expression",
  NullToken: "an empty value",
  ScalarToken: "a single value",
};

/** What a field takes, by its key, for "invalid value" messages. */
const expectedValues: Record<string, string> = {
  "timeout-minutes": "a number of minutes or an expression",
  "continue-on-error": "true, false or an expression",
  "fail-fast": "true, false or an expression",
  "cancel-in-progress": "true, false or an expression",
  "max-parallel": "a number or an expression",
  matrix: "a mapping of axes (with optional include/exclude) or an expression",
  strategy: "a mapping with matrix, fail-fast or max-parallel",
  "runs-on": "a runner label, a list of labels, a {group, labels} mapping or an expression",
  needs: "a job id or a list of job ids",
  steps: "a list of steps",
  jobs: "a mapping of job ids to jobs",
  env: "a mapping of names to values",
  with: "a mapping of input names to values",
  outputs: "a mapping of names to values",
  required: "true or false",
  on: "an event name, a list of event names or a mapping of events",
};

export function diagnosticsFromParser(file: string, errors: ParserError[], index: YamlPathIndex, yamlFailed: boolean): Diagnostic[] {
  return (yamlFailed ? firstPerLine(errors) : errors).map((error) => {
    const line = error.range?.start.line ?? 1;
    const column = error.range?.start.column ?? 1;
    const at = index.at.get(positionKey(line, column)) ?? [];
    const inside = at.length === 0 ? pathContaining(index, line, column) : undefined;
    const where = inside === undefined ? at : [{ path: inside, role: "value" as const }];
    const { code, message } = yamlFailed ? describeYamlError(error.rawMessage) : describeSchemaError(error.rawMessage, where);
    return diagnosticAt({ file, line, column }, "error", code, message);
  });
}

/** One YAML mistake cascades into an error per following token; the first on each line says enough. */
function firstPerLine(errors: ParserError[]): ParserError[] {
  const lines = new Set<number>();
  return errors.filter((error) => {
    const line = error.range?.start.line ?? 1;
    if (lines.has(line)) return false;
    lines.add(line);
    return true;
  });
}

function describeYamlError(raw: string): { code: DiagnosticCode; message: string } {
  if (raw.startsWith("Expected a scalar value, a sequence, or a mapping")) {
    return { code: "empty-file", message: "the file holds no workflow: it needs at least `on:` and `jobs:`" };
  }
  const firstLine = raw.split("\n")[0].replace(/ at line \d+, column \d+:?\s*$/, "").trim();
  return { code: "yaml-syntax", message: `YAML syntax error: ${firstLine}` };
}

function describeSchemaError(raw: string, at: PathAtPosition[]): { code: DiagnosticCode; message: string } {
  const valuePath = at.find((entry) => entry.role === "value")?.path;
  const where = valuePath === undefined ? "" : `${formatPath(valuePath)}: `;

  const unexpected = /^Unexpected value '(.*)'$/s.exec(raw);
  if (unexpected) return describeUnexpectedValue(unexpected[1], at);

  const missing = /^Required property is missing: (.+)$/.exec(raw);
  if (missing) {
    return { code: "missing-key", message: `${formatPath(valuePath ?? [])} is missing the required key '${missing[1]}'` };
  }
  const duplicate = /^'(.*)' is already defined$/.exec(raw);
  if (duplicate) {
    const keyPath = at.find((entry) => entry.role === "key")?.path ?? [];
    return { code: "duplicate-key", message: `key '${duplicate[1]}' is already defined in ${formatPath(keyPath.slice(0, -1))}` };
  }
  const wrongCollection = /^A (mapping|sequence) was not expected$/.exec(raw);
  if (wrongCollection) return { code: "schema", message: `${where}a ${wrongCollection[1]} is not allowed here${expectation(valuePath)}` };

  const wrongType = /^Unexpected type '(\w+)' encountered while reading '.*'\. The type '(\w+)' was expected\.$/.exec(raw);
  if (wrongType) {
    return { code: "schema", message: `${where}expected ${typeName(wrongType[2])}, got ${typeName(wrongType[1])}` };
  }
  if (raw.startsWith("There's not enough info") && isStepPath(valuePath)) {
    return { code: "missing-key", message: `${where}a step needs \`run:\` (a shell command) or \`uses:\` (an action)` };
  }
  if (expressionMessage.test(raw)) return { code: "expression", message: `${where}invalid expression: ${raw}` };
  if (/^(Missing 'options' for choice input|Input type is not 'choice')/.test(raw)) return { code: "input-options", message: `${where}${raw}` };
  if (/^The identifier '.*' is invalid/.test(raw)) return { code: "invalid-id", message: raw };
  if (/^Job '.*' depends on job '.*' which creates a cycle/.test(raw)) return { code: "needs-cycle", message: raw };
  if (/^Job '.*' depends on unknown job/.test(raw)) return { code: "needs-unknown", message: raw };
  if (/^The workflow must contain at least one job with no dependencies/.test(raw)) return { code: "needs-cycle", message: raw };
  return { code: "workflow", message: `${where}${raw}` };
}

function describeUnexpectedValue(value: string, at: PathAtPosition[]): { code: DiagnosticCode; message: string } {
  const key = at.find((entry) => entry.role === "key" && entry.path[entry.path.length - 1] === value);
  if (key) {
    const parent = key.path.slice(0, -1);
    if (parent.length === 1 && parent[0] === "on") {
      return { code: "unknown-event", message: `unknown event '${value}' under on` };
    }
    if ((value === "uses" || value === "run") && isStepPath(parent)) {
      const message = `${formatPath(parent)} has both \`run\` and \`uses\`; a step does one or the other: split it into two steps`;
      return { code: "step-run-and-uses", message };
    }
    const suggestion = suggestKey(parent, value);
    const hint = suggestion === undefined ? "" : ` (did you mean '${suggestion}'?)`;
    const place = parent.length === 0 ? "at the top level of the workflow" : `in ${formatPath(parent)}`;
    return { code: "unknown-key", message: `unknown key '${value}' ${place}${hint}` };
  }
  const path = at.find((entry) => entry.role === "value")?.path ?? [];
  if (path[0] === "on" && (path.length === 1 || (path.length === 2 && typeof path[1] === "number"))) {
    return { code: "unknown-event", message: `unknown event '${value}' under on` };
  }
  if (path.length >= 3 && path[path.length - 1] === "type" && path[path.length - 3] === "inputs") {
    const types = path[1] === "workflow_call" ? "string, boolean, number" : "string, choice, boolean, number, environment";
    return { code: "input-type", message: `unknown input type '${value}' for ${formatPath(path.slice(0, -1))}: expected one of ${types}` };
  }
  return { code: "schema", message: `invalid value '${value}' for ${formatPath(path)}${expectation(path)}` };
}

function isStepPath(path: PathSegment[] | undefined): boolean {
  return path !== undefined && path.length === 4 && path[0] === "jobs" && path[2] === "steps";
}

function expectation(path: PathSegment[] | undefined): string {
  const last = path?.[path.length - 1];
  const expected = typeof last === "string" ? expectedValues[last] : undefined;
  return expected === undefined ? "" : `: expected ${expected}`;
}

function typeName(tokenType: string): string {
  return tokenTypeNames[tokenType] ?? tokenType;
}
