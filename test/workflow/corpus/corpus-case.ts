/**
 * The shape of a corpus case's `expect.json`: the git history to build, the events to send and, for
 * every workflow, whether it triggers and how every job and step ends. Read with a strict key check,
 * so a typo in an expectation fails loudly instead of checking nothing.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Conclusion } from "../../../src/workflow/conclusions";
import { eventNames, type EventName } from "../../../src/workflow/trigger-event";

export interface LogExpectation {
  contains?: string[];
  notContains?: string[];
}

/** `"success"` (outcome = conclusion) or the full form. */
export type StepExpectation =
  | Conclusion
  | { name?: string; outcome: Conclusion; conclusion?: Conclusion; outputs?: Record<string, string>; logs?: LogExpectation };

export interface AnnotationExpectation {
  level: "error" | "warning" | "notice";
  message: string;
  file?: string;
  line?: number;
  title?: string;
}

export interface JobExpectation {
  conclusion: Conclusion;
  /** Compared exactly; absent means the job has no outputs. */
  outputs?: Record<string, string>;
  environment?: { name: string; url?: string };
  /** A substring of the job's message (why it was skipped, cancelled or failed outside a step). */
  message?: string;
  /** Every step, in order (post steps included). Absent: the job ran no steps. */
  steps?: StepExpectation[];
  logs?: LogExpectation;
  annotations?: AnnotationExpectation[];
  /** The job summary (GITHUB_STEP_SUMMARY of all its steps). */
  summary?: LogExpectation;
}

export interface WorkflowExpectation {
  triggered: boolean;
  /** The run is refused before it starts (e.g. invalid dispatch inputs): a substring of the error. */
  rejected?: string;
  conclusion?: Conclusion;
  /** A substring of the run's own message (concurrency, invalid env…). */
  message?: string;
  /** Every job key of the run. */
  jobs?: Record<string, JobExpectation>;
  /** Over every log line of the run. */
  logs?: LogExpectation;
}

export interface CaseEvent {
  name: EventName;
  /** The ref the event is for (pull_request: the head branch); default `refs/heads/main`. */
  ref?: string;
  /** The commit to run; default HEAD. */
  rev?: string;
  /** Overrides the paths git reports as changed, for path filters. */
  changedPaths?: string[];
  /** Raw workflow_dispatch inputs, as `--input key=value` gives them. */
  inputs?: Record<string, string>;
  /** pull_request activity type (default opened) and target branch (default main). */
  action?: string;
  base?: string;
  /** schedule: the cron that fired. */
  schedule?: string;
}

export interface CaseRun {
  event: CaseEvent;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Start while the previous run is still in progress (once one of its steps has started). */
  overlapPrevious?: boolean;
  /** Keyed by workflow file name, e.g. `ci.yml`. */
  workflows: Record<string, WorkflowExpectation>;
}

export interface CaseGit {
  /** Commits made after the first one (which holds the case's files). */
  commits?: { message: string; files: Record<string, string> }[];
  /** Branches created at HEAD after all commits. */
  branches?: string[];
  /** `name` (at HEAD) or `name@rev`, e.g. `v0.1.0@HEAD~1`. */
  tags?: string[];
}

export interface CorpusCase {
  /** The directory name, e.g. `01-push-branches`. */
  id: string;
  dir: string;
  description: string;
  git?: CaseGit;
  maxParallelJobs?: number;
  /** Also run through `slipway run --json` and compare. */
  cli?: boolean;
  runs: CaseRun[];
}

const caseKeys = ["description", "git", "maxParallelJobs", "cli", "runs"];
const gitKeys = ["commits", "branches", "tags"];
const runKeys = ["event", "secrets", "vars", "overlapPrevious", "workflows"];
const eventKeys = ["name", "ref", "rev", "changedPaths", "inputs", "action", "base", "schedule"];
const workflowKeys = ["triggered", "rejected", "conclusion", "message", "jobs", "logs"];
const jobKeys = ["conclusion", "outputs", "environment", "message", "steps", "logs", "annotations", "summary"];
const stepKeys = ["name", "outcome", "conclusion", "outputs", "logs"];
const logKeys = ["contains", "notContains"];
const annotationKeys = ["level", "message", "file", "line", "title"];
const conclusions = ["success", "failure", "cancelled", "skipped"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Throws on keys outside `allowed`, naming where they are. */
function checkKeys(value: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where}: expected an object`);
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown key(s) ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`);
  return value;
}

function checkConclusion(value: unknown, where: string): void {
  if (value !== undefined && !conclusions.includes(String(value))) throw new Error(`${where}: '${String(value)}' is not a conclusion`);
}

function checkLogs(value: unknown, where: string): void {
  if (value !== undefined) checkKeys(value, logKeys, where);
}

function checkJob(value: unknown, where: string): void {
  const job = checkKeys(value, jobKeys, where);
  checkConclusion(job.conclusion, `${where}.conclusion`);
  checkLogs(job.logs, `${where}.logs`);
  checkLogs(job.summary, `${where}.summary`);
  for (const [index, annotation] of ((job.annotations as unknown[] | undefined) ?? []).entries()) checkKeys(annotation, annotationKeys, `${where}.annotations[${index}]`);
  for (const [index, step] of ((job.steps as unknown[] | undefined) ?? []).entries()) {
    const at = `${where}.steps[${index}]`;
    if (typeof step === "string") checkConclusion(step, at);
    else {
      const fields = checkKeys(step, stepKeys, at);
      checkConclusion(fields.outcome, `${at}.outcome`);
      checkConclusion(fields.conclusion, `${at}.conclusion`);
      checkLogs(fields.logs, `${at}.logs`);
    }
  }
}

function checkRun(value: unknown, where: string): void {
  const run = checkKeys(value, runKeys, where);
  const event = checkKeys(run.event, eventKeys, `${where}.event`);
  if (!eventNames.includes(event.name as EventName)) throw new Error(`${where}.event.name: '${String(event.name)}' is not an event`);
  for (const [file, workflow] of Object.entries(checkKeys(run.workflows, Object.keys(run.workflows as object), `${where}.workflows`))) {
    const fields = checkKeys(workflow, workflowKeys, `${where}.workflows.${file}`);
    checkConclusion(fields.conclusion, `${where}.workflows.${file}.conclusion`);
    checkLogs(fields.logs, `${where}.workflows.${file}.logs`);
    for (const [key, job] of Object.entries((fields.jobs as Record<string, unknown> | undefined) ?? {})) checkJob(job, `${where}.workflows.${file}.jobs.${key}`);
  }
}

export async function loadCorpusCase(dir: string, id: string): Promise<CorpusCase> {
  const where = `${id}/expect.json`;
  const parsed: unknown = JSON.parse(await readFile(join(dir, "expect.json"), "utf8"));
  const fields = checkKeys(parsed, caseKeys, where);
  if (fields.git !== undefined) checkKeys(fields.git, gitKeys, `${where}.git`);
  if (!Array.isArray(fields.runs) || fields.runs.length === 0) throw new Error(`${where}.runs: expected at least one run`);
  fields.runs.forEach((run, index) => checkRun(run, `${where}.runs[${index}]`));
  return { id, dir, ...(fields as Omit<CorpusCase, "id" | "dir">) };
}
