/** Typed records for runs, jobs, steps and annotations, and the mappers from database rows. */

import type { Selectable } from "kysely";
import type { JsonObject } from "../core/json";
import type { Conclusion, RunStatus } from "../workflow/conclusions";
import type { AnnotationLevel, AnnotationsTable, JobsTable, RunsTable, StepsTable } from "./schema";
import { parseJsonText } from "./store-operation";

/** Times are epoch milliseconds (the store's Clock), null until the moment happened. */
export interface RunRecord {
  id: number;
  repo: string;
  workflowFile: string;
  workflowName: string;
  /** 1, 2, 3… per (repo, workflowFile), assigned when the run is created. */
  runNumber: number;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  inputs: JsonObject;
  status: RunStatus;
  conclusion: Conclusion | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface NewRun {
  repo: string;
  workflowFile: string;
  workflowName: string;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  inputs?: JsonObject;
  /** Defaults to `queued`. */
  status?: RunStatus;
}

export type RunPatch = Partial<
  Pick<RunRecord, "workflowName" | "status" | "conclusion" | "error" | "startedAt" | "completedAt">
>;

export interface JobRecord {
  id: number;
  runId: number;
  /** The key under `jobs:` in the workflow YAML. */
  jobId: string;
  /** Unique within the run: the job id plus a matrix suffix, e.g. `test (node 20, linux)`. */
  jobKey: string;
  name: string;
  matrix: JsonObject | null;
  needs: string[];
  status: RunStatus;
  conclusion: Conclusion | null;
  outputs: JsonObject;
  environment: string | null;
  startedAt: number | null;
  completedAt: number | null;
  error: string | null;
}

export interface NewJob {
  runId: number;
  jobId: string;
  /** Defaults to jobId. */
  jobKey?: string;
  name: string;
  matrix?: JsonObject | null;
  needs?: string[];
  status?: RunStatus;
  environment?: string | null;
}

export type JobPatch = Partial<
  Pick<JobRecord, "name" | "status" | "conclusion" | "outputs" | "environment" | "startedAt" | "completedAt" | "error">
>;

export interface StepRecord {
  id: number;
  jobId: number;
  /** 1-based position in the job. */
  number: number;
  name: string;
  status: RunStatus;
  /** After continue-on-error, as GitHub's `steps.<id>.conclusion`. */
  conclusion: Conclusion | null;
  /** Before continue-on-error, as GitHub's `steps.<id>.outcome`. */
  outcome: Conclusion | null;
  outputs: JsonObject;
  startedAt: number | null;
  completedAt: number | null;
}

export type StepPatch = Partial<
  Pick<StepRecord, "name" | "status" | "conclusion" | "outcome" | "outputs" | "startedAt" | "completedAt">
>;

export type JobWithSteps = JobRecord & { steps: StepRecord[] };
export type RunWithJobs = RunRecord & { jobs: JobWithSteps[] };

export interface RunQuery {
  repo?: string;
  workflowFile?: string;
  status?: RunStatus | RunStatus[];
  /** Defaults to 50. */
  limit?: number;
  /** Only runs with a smaller id: the cursor for the next (older) page. */
  beforeId?: number;
}

export interface NewAnnotation {
  jobId: number;
  stepNumber?: number | null;
  level: AnnotationLevel;
  message: string;
  file?: string | null;
  line?: number | null;
  col?: number | null;
}

export interface AnnotationRecord extends Required<NewAnnotation> {
  id: number;
  createdAt: number;
}

export function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    repo: row.repo,
    workflowFile: row.workflow_file,
    workflowName: row.workflow_name,
    runNumber: row.run_number,
    event: row.event,
    ref: row.ref,
    sha: row.sha,
    actor: row.actor,
    inputs: parseJsonText<JsonObject>(row.inputs_json, {}),
    status: row.status,
    conclusion: row.conclusion,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

export function toJobRecord(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    runId: row.run_id,
    jobId: row.job_id,
    jobKey: row.job_key,
    name: row.name,
    matrix: parseJsonText<JsonObject | null>(row.matrix_json, null),
    needs: parseJsonText<string[]>(row.needs_json, []),
    status: row.status,
    conclusion: row.conclusion,
    outputs: parseJsonText<JsonObject>(row.outputs_json, {}),
    environment: row.environment,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    error: row.error,
  };
}

export function toStepRecord(row: Selectable<StepsTable>): StepRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    number: row.number,
    name: row.name,
    status: row.status,
    conclusion: row.conclusion,
    outcome: row.outcome,
    outputs: parseJsonText<JsonObject>(row.outputs_json, {}),
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

export function toAnnotationRecord(row: Selectable<AnnotationsTable>): AnnotationRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    stepNumber: row.step_number,
    level: row.level,
    message: row.message,
    file: row.file,
    line: row.line,
    col: row.col,
    createdAt: row.created_at,
  };
}
