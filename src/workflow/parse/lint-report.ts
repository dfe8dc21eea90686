/** The text `slipway lint` prints: one `file:line:col: severity: message` line a problem, then a summary. */

import { formatDiagnostic } from "../model";
import type { LintResult } from "./lint-paths";

export function renderLintReport(result: LintResult): string {
  const lines = result.diagnostics.map(formatDiagnostic);
  lines.push(summarizeDiagnostics(result));
  return `${lines.join("\n")}\n`;
}

/** `2 errors, 1 warning in 3 files`. */
export function summarizeDiagnostics(result: LintResult): string {
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.length - errors;
  return `${count(errors, "error")}, ${count(warnings, "warning")} in ${count(result.files.length, "file")}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
