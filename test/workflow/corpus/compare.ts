/**
 * Compares what a run produced with a case's expectations and lists every difference, so one failing
 * case shows all its problems at once. Expected strings may hold placeholders (`{sha}`) and may be
 * regular expressions (`re:^[0-9a-f]{40}$`).
 */

import type { AnnotationExpectation, JobExpectation, LogExpectation, StepExpectation, WorkflowExpectation } from "./corpus-case";
import type { ObservedJob, ObservedStep, ObservedWorkflow, Placeholders } from "./observed-run";

export interface CompareOptions {
  placeholders: Placeholders;
  /** False for sources without logs (the CLI's JSON). */
  logs: boolean;
}

function substitute(text: string, placeholders: Placeholders): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => placeholders[name] ?? whole);
}

function valueMatches(expected: string, actual: string | undefined | null, placeholders: Placeholders): boolean {
  if (actual === undefined || actual === null) return false;
  if (expected.startsWith("re:")) return new RegExp(expected.slice(3)).test(actual);
  return substitute(expected, placeholders) === actual;
}

function compareRecords(where: string, expected: Record<string, string>, actual: Record<string, string>, options: CompareOptions, problems: string[]): void {
  for (const [key, value] of Object.entries(expected)) {
    if (!valueMatches(value, actual[key], options.placeholders)) problems.push(`${where}.${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual[key])}`);
  }
  for (const key of Object.keys(actual)) if (!(key in expected)) problems.push(`${where}.${key}: unexpected value ${JSON.stringify(actual[key])}`);
}

function compareLogs(where: string, expected: LogExpectation | undefined, lines: string[], options: CompareOptions, problems: string[]): void {
  if (!expected || !options.logs) return;
  const text = lines.join("\n");
  for (const needle of expected.contains ?? []) {
    const wanted = substitute(needle, options.placeholders);
    if (!text.includes(wanted)) problems.push(`${where}: log does not contain ${JSON.stringify(wanted)}\n--- log ---\n${text}\n-----------`);
  }
  for (const needle of expected.notContains ?? []) {
    const unwanted = substitute(needle, options.placeholders);
    if (text.includes(unwanted)) problems.push(`${where}: log contains ${JSON.stringify(unwanted)}`);
  }
}

function normalizeStep(step: StepExpectation): Exclude<StepExpectation, string> {
  return typeof step === "string" ? { outcome: step, conclusion: step } : { ...step, conclusion: step.conclusion ?? step.outcome };
}

function compareStep(where: string, expected: StepExpectation, actual: ObservedStep, logs: string[], options: CompareOptions, problems: string[]): void {
  const step = normalizeStep(expected);
  const label = `${where} (${actual.name})`;
  if (step.name !== undefined && !valueMatches(step.name, actual.name, options.placeholders)) problems.push(`${label}: name expected ${JSON.stringify(step.name)}`);
  if (actual.outcome !== step.outcome || actual.conclusion !== step.conclusion) {
    problems.push(`${label}: expected outcome/conclusion ${step.outcome}/${step.conclusion}, got ${actual.outcome}/${actual.conclusion}`);
  }
  if (step.outputs) compareRecords(`${label}.outputs`, step.outputs, actual.outputs, options, problems);
  compareLogs(`${label}.logs`, step.logs, logs, options, problems);
}

function compareAnnotations(where: string, expected: AnnotationExpectation[] | undefined, job: ObservedJob, options: CompareOptions, problems: string[]): void {
  if (!expected || !options.logs) return;
  for (const wanted of expected) {
    const found = (job.annotations ?? []).some(
      (a) =>
        a.level === wanted.level &&
        valueMatches(wanted.message, a.message, options.placeholders) &&
        (wanted.file === undefined || a.file === wanted.file) &&
        (wanted.line === undefined || a.line === wanted.line) &&
        (wanted.title === undefined || a.title === wanted.title),
    );
    if (!found) problems.push(`${where}: no annotation ${JSON.stringify(wanted)} among ${JSON.stringify(job.annotations)}`);
  }
}

function allLines(job: ObservedJob): string[] {
  return [...(job.logs?.entries() ?? [])].sort(([a], [b]) => a - b).flatMap(([, lines]) => lines);
}

function compareJob(where: string, expected: JobExpectation, actual: ObservedJob, options: CompareOptions, problems: string[]): void {
  if (actual.conclusion !== expected.conclusion) problems.push(`${where}: expected conclusion ${expected.conclusion}, got ${actual.conclusion}${actual.message ? ` (${actual.message})` : ""}`);
  compareRecords(`${where}.outputs`, expected.outputs ?? {}, actual.outputs, options, problems);
  if (expected.environment) {
    const env = actual.environment;
    const url = expected.environment.url;
    const urlMatches = url === undefined ? env?.url === undefined : valueMatches(url, env?.url, options.placeholders);
    if (env?.name !== expected.environment.name || !urlMatches) problems.push(`${where}.environment: expected ${JSON.stringify(expected.environment)}, got ${JSON.stringify(env)}`);
  }
  if (expected.message !== undefined && !(actual.message ?? "").includes(expected.message)) problems.push(`${where}.message: expected to contain ${JSON.stringify(expected.message)}, got ${JSON.stringify(actual.message)}`);
  const steps = expected.steps ?? [];
  if (steps.length !== actual.steps.length) {
    problems.push(`${where}.steps: expected ${steps.length} steps, got ${actual.steps.length}: ${actual.steps.map((s) => `${s.name}=${s.outcome}/${s.conclusion}`).join(", ")}`);
  }
  steps.forEach((step, index) => {
    const observed = actual.steps[index];
    if (observed) compareStep(`${where}.steps[${index}]`, step, observed, actual.logs?.get(index + 1) ?? [], options, problems);
  });
  compareLogs(`${where}.logs`, expected.logs, allLines(actual), options, problems);
  compareLogs(`${where}.summary`, expected.summary, actual.summary === undefined ? [] : [actual.summary], options, problems);
  compareAnnotations(`${where}.annotations`, expected.annotations, actual, options, problems);
}

export function compareWorkflow(where: string, expected: WorkflowExpectation | undefined, actual: ObservedWorkflow | undefined, options: CompareOptions): string[] {
  const problems: string[] = [];
  if (!actual) return [`${where}: no such workflow in the repository`];
  if (!expected) return actual.triggered ? [`${where}: triggered but has no expectation`] : [];
  if (actual.triggered !== expected.triggered) {
    return [`${where}: expected triggered=${expected.triggered}, got ${actual.triggered}${actual.triggered ? "" : ` (${actual.reason})`}`];
  }
  if (!actual.triggered) return [];
  if (actual.rejected !== undefined || expected.rejected !== undefined) {
    if (actual.rejected === undefined || expected.rejected === undefined || !actual.rejected.includes(expected.rejected)) {
      problems.push(`${where}: expected rejected ${JSON.stringify(expected.rejected)}, got ${JSON.stringify(actual.rejected)}`);
    }
    return problems;
  }
  if (expected.conclusion !== undefined && actual.conclusion !== expected.conclusion) problems.push(`${where}: expected conclusion ${expected.conclusion}, got ${actual.conclusion}${actual.message ? ` (${actual.message})` : ""}`);
  if (expected.message !== undefined && !(actual.message ?? "").includes(expected.message)) problems.push(`${where}.message: expected to contain ${JSON.stringify(expected.message)}, got ${JSON.stringify(actual.message)}`);
  const jobs = expected.jobs ?? {};
  for (const [key, job] of Object.entries(jobs)) {
    const observed = actual.jobs.find((j) => j.key === key);
    if (!observed) problems.push(`${where}.jobs.${key}: no such job (jobs: ${actual.jobs.map((j) => j.key).join(", ")})`);
    else compareJob(`${where}.jobs.${key}`, job, observed, options, problems);
  }
  for (const job of actual.jobs) if (!(job.key in jobs)) problems.push(`${where}.jobs: unexpected job ${JSON.stringify(job.key)} (${job.conclusion})`);
  compareLogs(`${where}.logs`, expected.logs, actual.jobs.flatMap(allLines), options, problems);
  return problems;
}

export function compareRun(runIndex: number, expected: Record<string, WorkflowExpectation>, actual: Map<string, ObservedWorkflow>, options: CompareOptions): string[] {
  const problems: string[] = [];
  for (const file of Object.keys(expected)) if (!actual.has(file)) problems.push(`run ${runIndex}: ${file}: no such workflow`);
  for (const [file, observed] of actual) problems.push(...compareWorkflow(`run ${runIndex}: ${file}`, expected[file], observed, options));
  return problems;
}
