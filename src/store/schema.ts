/** The database as Kysely sees it: one interface per table, snake_case columns, times as epoch ms. */

import type { ColumnType, Generated } from "kysely";
import type { Conclusion, RunStatus } from "../workflow/conclusions";

/** JSON columns hold text on SQLite and jsonb on Postgres; both are written and read as JSON text. */
export type JsonText = string;

/** Epoch milliseconds, stored as a 64-bit integer in both dialects. */
export type EpochMs = number;

export interface RunsTable {
  id: Generated<number>;
  repo: string;
  workflow_file: string;
  workflow_name: string;
  run_number: number;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  inputs_json: JsonText;
  status: RunStatus;
  conclusion: Conclusion | null;
  error: string | null;
  created_at: EpochMs;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
}

/** The last run number handed out per (repo, workflow file); bumped atomically by createRun. */
export interface RunCountersTable {
  repo: string;
  workflow_file: string;
  last_run_number: number;
}

export interface JobsTable {
  id: Generated<number>;
  run_id: number;
  job_id: string;
  job_key: string;
  name: string;
  matrix_json: JsonText | null;
  needs_json: JsonText;
  status: RunStatus;
  conclusion: Conclusion | null;
  outputs_json: JsonText;
  environment: string | null;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
  error: string | null;
  /** The last log chunk seq handed out for this job; bumped in the same transaction as the insert. */
  last_log_seq: ColumnType<number, number | undefined, number>;
}

export interface StepsTable {
  id: Generated<number>;
  job_id: number;
  number: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  outcome: Conclusion | null;
  outputs_json: JsonText;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
}

export interface LogChunksTable {
  id: Generated<number>;
  job_id: number;
  step_number: number | null;
  seq: number;
  content: string;
  created_at: EpochMs;
}

export type AnnotationLevel = "error" | "warning" | "notice";

export interface AnnotationsTable {
  id: Generated<number>;
  job_id: number;
  step_number: number | null;
  level: AnnotationLevel;
  message: string;
  file: string | null;
  line: number | null;
  col: number | null;
  created_at: EpochMs;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  subject: string;
  payload_json: JsonText;
  created_at: EpochMs;
}

export interface Database {
  runs: RunsTable;
  run_counters: RunCountersTable;
  jobs: JobsTable;
  steps: StepsTable;
  log_chunks: LogChunksTable;
  annotations: AnnotationsTable;
  events: EventsTable;
}

export type StoreDialect = "sqlite" | "postgres";
