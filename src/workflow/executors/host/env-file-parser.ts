/** Parses the `name=value` / `name<<DELIMITER` format of GITHUB_ENV, GITHUB_OUTPUT and GITHUB_STATE like GitHub's runner. */

import { SlipwayError } from "../../../core/errors";

export interface KeyValueFileOptions {
  /** Shown in errors, e.g. `GITHUB_OUTPUT`. */
  label: string;
  /** Shown in error details. */
  filePath?: string;
  /** Extra rule for names (GITHUB_ENV refuses some); returns a reason to refuse, or undefined. */
  checkName?: (name: string) => string | undefined;
}

interface Line {
  text: string;
  /** 1-based. */
  number: number;
  /** Offset of the line's first character and of its end (before the newline). */
  start: number;
  end: number;
  /** The newline that ended it, "" at the end of the file. */
  newline: string;
}

function* readLines(text: string): Generator<Line> {
  let start = 0;
  let number = 1;
  while (start < text.length) {
    const lf = text.indexOf("\n", start);
    const end = lf < 0 ? text.length : lf > start && text[lf - 1] === "\r" ? lf - 1 : lf;
    const next = lf < 0 ? text.length : lf + 1;
    yield { text: text.slice(start, end), number, start, end, newline: text.slice(end, next) };
    start = next;
    number++;
  }
}

function fail(options: KeyValueFileOptions, line: number, message: string): never {
  throw new SlipwayError("ACTION_INVALID", `${options.label} line ${line}: ${message}`, {
    details: { file: options.filePath, line },
    hint: "Write `name=value`, or for multi-line values `name<<DELIMITER`, the lines, then DELIMITER alone on its line.",
  });
}

function checkName(options: KeyValueFileOptions, line: number, name: string): void {
  if (name === "") fail(options, line, "the name is empty");
  if (name.includes("\0")) fail(options, line, "the name contains a NUL character");
  const refusal = options.checkName?.(name);
  if (refusal) fail(options, line, refusal);
}

/** Returns the pairs in file order; a later value for the same name wins, as in GitHub. */
export function parseKeyValueFile(content: string, options: KeyValueFileOptions): Record<string, string> {
  const text = content.startsWith("\uFEFF") ? content.slice(1) : content;
  const values: Record<string, string> = {};
  const lines = readLines(text);
  for (let current = lines.next(); !current.done; current = lines.next()) {
    const line = current.value;
    if (line.text === "") continue;
    const equals = line.text.indexOf("=");
    const heredoc = line.text.indexOf("<<");
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      const name = line.text.slice(0, equals);
      checkName(options, line.number, name);
      values[name] = line.text.slice(equals + 1);
      continue;
    }
    if (heredoc < 0) fail(options, line.number, `'${line.text}' is neither name=value nor name<<DELIMITER`);
    const name = line.text.slice(0, heredoc);
    const delimiter = line.text.slice(heredoc + 2);
    checkName(options, line.number, name);
    if (delimiter === "") fail(options, line.number, `the heredoc delimiter after '${name}<<' is empty`);
    if (line.newline === "") fail(options, line.number, `the heredoc '${name}<<${delimiter}' has no value lines`);
    // The value runs to the newline before the first line that is exactly the delimiter.
    const valueStart = line.start + line.text.length + line.newline.length;
    let valueEnd = valueStart;
    let terminated = false;
    for (let inner = lines.next(); !inner.done; inner = lines.next()) {
      if (inner.value.text === delimiter) {
        terminated = true;
        break;
      }
      if (inner.value.newline === "") break;
      valueEnd = inner.value.end;
    }
    if (!terminated) {
      fail(options, line.number, `the heredoc '${name}<<${delimiter}' is not terminated: no line '${delimiter}' follows it`);
    }
    values[name] = text.slice(valueStart, valueEnd);
  }
  return values;
}

/** GITHUB_PATH: one directory a line, empty lines skipped, in file order. */
export function parsePathFile(content: string): string[] {
  const text = content.startsWith("\uFEFF") ? content.slice(1) : content;
  const entries: string[] = [];
  for (const line of readLines(text)) if (line.text.trim() !== "") entries.push(line.text);
  return entries;
}
