/** The stable diagnostic codes of workflow parsing and linting, and helpers to make and order diagnostics. */

import type { Diagnostic, Severity, SourceLocation } from "../model";

export const diagnosticCodes = {
  "yaml-syntax": "The file is not valid YAML.",
  "empty-file": "The file holds no workflow.",
  "unknown-key": "A key the workflow syntax does not define at that place.",
  "unknown-event": "An event name under `on:` that GitHub Actions does not define.",
  "missing-key": "A required key is absent (`on`, `jobs`, `runs-on`, …).",
  "duplicate-key": "The same key twice in one mapping.",
  schema: "A value of the wrong type or shape.",
  expression: "A `${{ }}` expression or `if:` condition that does not parse or names something unknown.",
  "invalid-id": "A job or step id with characters GitHub does not allow.",
  "needs-unknown": "`needs` names a job that does not exist.",
  "needs-self": "A job lists itself in `needs`.",
  "needs-cycle": "Jobs that need each other in a cycle.",
  "no-jobs": "`jobs:` with no job in it.",
  "no-steps": "A job without steps (and without `uses:`).",
  "step-run-and-uses": "A step with both `run` and `uses`.",
  "duplicate-step-id": "Two steps of one job with the same `id`.",
  cron: "A `schedule` cron expression that is not five valid fields.",
  "cron-interval": "A schedule more frequent than every 5 minutes (GitHub does not run those).",
  "input-type": "A workflow_dispatch / workflow_call input with an unknown type.",
  "input-default": "An input default that does not fit the input's type or options.",
  "input-options": "`options` missing on a choice input, or given on another type.",
  "unsupported-runner": "A non-Linux `runs-on`; slipway runs jobs on Linux.",
  "remote-action": "A remote action slipway does not fetch; vendor it and use `./path`.",
  "docker-action": "A `docker://` action, which the host executor does not run.",
  "unsupported-container": "`container:` / `services:`, which the host executor does not run.",
  "remote-reusable-workflow": "A reusable workflow outside the repository.",
  workflow: "Any other problem GitHub's parser reports.",
  "file-unreadable": "A path given to `slipway lint` that does not exist or cannot be read.",
} as const;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export function diagnosticAt(loc: SourceLocation, severity: Severity, code: DiagnosticCode, message: string): Diagnostic {
  return { file: loc.file, line: loc.line, column: loc.column, severity, message, code };
}

/** By file, then line, then column; errors before warnings at the same place; stable otherwise. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
