/** One workflow file → its model and every diagnostic: GitHub's parser first, then slipway's own checks. */

import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { ErrorPolicy } from "@actions/workflow-parser/model/convert";
import { describeError } from "../../core/errors";
import type { Diagnostic, Workflow } from "../model";
import { buildWorkflow } from "./build-workflow";
import { checkJobs } from "./check-jobs";
import { checkNeeds } from "./check-needs";
import { checkSupport } from "./check-support";
import { checkTriggers } from "./check-triggers";
import { diagnosticAt, hasErrors, sortDiagnostics } from "./diagnostics";
import { diagnosticsFromParser, type ParserError } from "./parser-diagnostics";
import { entryOf, type TemplateToken } from "./tokens";
import { indexYamlPaths, positionKey } from "./yaml-paths";

export interface ParsedWorkflow {
  /** Undefined when any diagnostic is an error; warnings alone keep the workflow. */
  workflow?: Workflow;
  diagnostics: Diagnostic[];
}

/** Codes our own checks own entirely (needs, an empty `jobs:`, input options): the parser's versions are dropped. */
const ownedCodes = new Set(["needs-cycle", "needs-unknown", "needs-self", "input-options"]);

export async function parseWorkflowFile(file: string, content: string): Promise<ParsedWorkflow> {
  try {
    return await parseAndCheck(file, content);
  } catch (error) {
    // GitHub's parser should not throw; if it does, report it against the file rather than crash.
    const message = `could not parse the workflow: ${describeError(error)}`;
    return { diagnostics: [diagnosticAt({ file, line: 1, column: 1 }, "error", "workflow", message)] };
  }
}

async function parseAndCheck(file: string, content: string): Promise<ParsedWorkflow> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const index = indexYamlPaths(content);
  const parseErrors: ParserError[] = parsed.context.errors.getErrors();
  const root = parsed.value;
  if (root === undefined) return { diagnostics: sortDiagnostics(diagnosticsFromParser(file, parseErrors, index, true)) };

  // TryConversion: also collect the converter's semantic errors when the schema check already failed.
  await convertWorkflowTemplate(parsed.context, root, undefined, { errorPolicy: ErrorPolicy.TryConversion });
  const parsePositions = new Set(parseErrors.map(errorPosition));
  const conversionErrors = parsed.context.errors
    .getErrors()
    .slice(parseErrors.length)
    .filter((error) => !parsePositions.has(errorPosition(error)));
  const fromParser = diagnosticsFromParser(file, [...parseErrors, ...conversionErrors], index, false).filter(
    (d) => !ownedCodes.has(d.code),
  );

  const own = ownChecks(file, root);
  const ownErrorPositions = new Set(own.filter((d) => d.severity === "error").map((d) => positionKey(d.line, d.column)));
  const kept = fromParser.filter((d) => !ownErrorPositions.has(positionKey(d.line, d.column)));
  const diagnostics = sortDiagnostics(withoutDuplicates([...kept, ...own]));
  if (hasErrors(diagnostics)) return { diagnostics };
  return { workflow: buildWorkflow(file, root), diagnostics };
}

function ownChecks(file: string, root: TemplateToken): Diagnostic[] {
  const jobs = entryOf(root, "jobs");
  return [
    ...checkTriggers(file, entryOf(root, "on")),
    ...checkNeeds(file, jobs),
    ...checkJobs(file, jobs),
    ...checkSupport(file, jobs),
  ];
}

function errorPosition(error: ParserError): string {
  return positionKey(error.range?.start.line ?? 1, error.range?.start.column ?? 1);
}

function withoutDuplicates(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
