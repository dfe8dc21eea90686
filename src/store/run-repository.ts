/** Runs, their jobs and steps, and annotations: the durable record of every workflow run. */

import type { Kysely, Updateable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { RunStatus } from "../workflow/conclusions";
import {
  toAnnotationRecord, toJobRecord, toRunRecord, toStepRecord,
  type AnnotationRecord, type JobPatch, type JobRecord, type JobWithSteps, type NewAnnotation, type NewJob,
  type NewRun, type RunPatch, type RunQuery, type RunRecord, type RunWithJobs, type StepPatch, type StepRecord,
} from "./run-records";
import type { Database, JobsTable, RunsTable, StepsTable } from "./schema";
import { inTransaction, storeOperation, toJsonText } from "./store-operation";

export interface RunRepository {
  /** Inserts the run and assigns the next run number of its (repo, workflowFile) in one transaction. */
  createRun(run: NewRun): Promise<RunRecord>;
  updateRun(id: number, patch: RunPatch): Promise<RunRecord>;
  getRun(id: number): Promise<RunWithJobs | undefined>;
  /** Newest first; page on with `beforeId` set to the last id of the previous page. */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  createJob(job: NewJob): Promise<JobRecord>;
  updateJob(id: number, patch: JobPatch): Promise<JobRecord>;
  getJob(id: number): Promise<JobRecord | undefined>;
  /** Creates step `number` of the job (status `queued` unless patched) or updates the fields in patch. */
  upsertStep(jobId: number, number: number, patch: StepPatch): Promise<StepRecord>;
  addAnnotation(annotation: NewAnnotation): Promise<AnnotationRecord>;
  listAnnotations(jobId: number): Promise<AnnotationRecord[]>;
  /**
   * Crash recovery: runs, jobs and steps left `queued` or `in_progress` become completed/failure,
   * with `reason` as the error of runs and jobs. Runs `waiting` (for approval) are left to resume.
   * Returns the ids of the runs it failed.
   */
  markUnfinishedRunsFailed(reason: string): Promise<number[]>;
}

const UNFINISHED: RunStatus[] = ["queued", "in_progress"];
const DEFAULT_LIST_LIMIT = 50;

export class SqlRunRepository implements RunRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  createRun(run: NewRun): Promise<RunRecord> {
    return storeOperation("createRun", () =>
      inTransaction(this.db, async (trx) => {
        // The counter row's lock (Postgres) or the single writer (SQLite) serialises concurrent creates.
        const counter = await trx
          .insertInto("run_counters")
          .values({ repo: run.repo, workflow_file: run.workflowFile, last_run_number: 1 })
          .onConflict((conflict) =>
            conflict.columns(["repo", "workflow_file"]).doUpdateSet((eb) => ({
              last_run_number: eb(eb.ref("run_counters.last_run_number"), "+", 1),
            })),
          )
          .returning("last_run_number")
          .executeTakeFirstOrThrow();
        const row = await trx
          .insertInto("runs")
          .values({
            repo: run.repo,
            workflow_file: run.workflowFile,
            workflow_name: run.workflowName,
            run_number: counter.last_run_number,
            event: run.event,
            ref: run.ref,
            sha: run.sha,
            actor: run.actor,
            inputs_json: toJsonText(run.inputs ?? {}),
            status: run.status ?? "queued",
            conclusion: null,
            error: null,
            created_at: this.clock.now(),
            started_at: null,
            completed_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toRunRecord(row);
      }),
    );
  }

  updateRun(id: number, patch: RunPatch): Promise<RunRecord> {
    return storeOperation("updateRun", async () => {
      const columns = runColumns(patch);
      const row =
        Object.keys(columns).length === 0
          ? await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst()
          : await this.db.updateTable("runs").set(columns).where("id", "=", id).returningAll().executeTakeFirst();
      if (!row) throw new SlipwayError("RUN_NOT_FOUND", `Run ${id} does not exist.`);
      return toRunRecord(row);
    });
  }

  getRun(id: number): Promise<RunWithJobs | undefined> {
    return storeOperation("getRun", async () => {
      const run = await this.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
      if (!run) return undefined;
      const jobs = await this.db.selectFrom("jobs").selectAll().where("run_id", "=", id).orderBy("id").execute();
      const steps =
        jobs.length === 0
          ? []
          : await this.db
              .selectFrom("steps")
              .selectAll()
              .where("job_id", "in", jobs.map((job) => job.id))
              .orderBy("job_id")
              .orderBy("number")
              .execute();
      const jobsWithSteps: JobWithSteps[] = jobs.map((job) => ({
        ...toJobRecord(job),
        steps: steps.filter((step) => step.job_id === job.id).map(toStepRecord),
      }));
      return { ...toRunRecord(run), jobs: jobsWithSteps };
    });
  }

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return storeOperation("listRuns", async () => {
      let select = this.db.selectFrom("runs").selectAll();
      if (query.repo !== undefined) select = select.where("repo", "=", query.repo);
      if (query.workflowFile !== undefined) select = select.where("workflow_file", "=", query.workflowFile);
      if (query.status !== undefined) {
        const statuses = Array.isArray(query.status) ? query.status : [query.status];
        select = select.where("status", "in", statuses);
      }
      if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
      const rows = await select.orderBy("id", "desc").limit(query.limit ?? DEFAULT_LIST_LIMIT).execute();
      return rows.map(toRunRecord);
    });
  }

  createJob(job: NewJob): Promise<JobRecord> {
    return storeOperation("createJob", async () => {
      const row = await this.db
        .insertInto("jobs")
        .values({
          run_id: job.runId,
          job_id: job.jobId,
          job_key: job.jobKey ?? job.jobId,
          name: job.name,
          matrix_json: job.matrix ? toJsonText(job.matrix) : null,
          needs_json: toJsonText(job.needs ?? []),
          status: job.status ?? "queued",
          conclusion: null,
          outputs_json: toJsonText({}),
          environment: job.environment ?? null,
          started_at: null,
          completed_at: null,
          error: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJobRecord(row);
    });
  }

  updateJob(id: number, patch: JobPatch): Promise<JobRecord> {
    return storeOperation("updateJob", async () => {
      const columns = jobColumns(patch);
      const row =
        Object.keys(columns).length === 0
          ? await this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst()
          : await this.db.updateTable("jobs").set(columns).where("id", "=", id).returningAll().executeTakeFirst();
      if (!row) throw new SlipwayError("JOB_NOT_FOUND", `Job ${id} does not exist.`);
      return toJobRecord(row);
    });
  }

  getJob(id: number): Promise<JobRecord | undefined> {
    return storeOperation("getJob", async () => {
      const row = await this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toJobRecord(row) : undefined;
    });
  }

  upsertStep(jobId: number, number: number, patch: StepPatch): Promise<StepRecord> {
    return storeOperation("upsertStep", async () => {
      const columns = stepColumns(patch);
      const row = await this.db
        .insertInto("steps")
        .values({
          job_id: jobId,
          number,
          name: "",
          status: "queued",
          conclusion: null,
          outcome: null,
          outputs_json: toJsonText({}),
          started_at: null,
          completed_at: null,
          ...columns,
        })
        .onConflict((conflict) =>
          // An empty patch still needs a SET clause for RETURNING to yield the existing row.
          conflict.columns(["job_id", "number"]).doUpdateSet(Object.keys(columns).length > 0 ? columns : { number }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toStepRecord(row);
    });
  }

  addAnnotation(annotation: NewAnnotation): Promise<AnnotationRecord> {
    return storeOperation("addAnnotation", async () => {
      const row = await this.db
        .insertInto("annotations")
        .values({
          job_id: annotation.jobId,
          step_number: annotation.stepNumber ?? null,
          level: annotation.level,
          message: annotation.message,
          file: annotation.file ?? null,
          line: annotation.line ?? null,
          col: annotation.col ?? null,
          created_at: this.clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAnnotationRecord(row);
    });
  }

  listAnnotations(jobId: number): Promise<AnnotationRecord[]> {
    return storeOperation("listAnnotations", async () => {
      const rows = await this.db.selectFrom("annotations").selectAll().where("job_id", "=", jobId).orderBy("id").execute();
      return rows.map(toAnnotationRecord);
    });
  }

  markUnfinishedRunsFailed(reason: string): Promise<number[]> {
    return storeOperation("markUnfinishedRunsFailed", () =>
      inTransaction(this.db, async (trx) => {
        const now = this.clock.now();
        const runs = await trx.selectFrom("runs").select("id").where("status", "in", UNFINISHED).orderBy("id").execute();
        const failed = { status: "completed", conclusion: "failure", completed_at: now } as const;
        await trx.updateTable("steps").set({ ...failed, outcome: "failure" }).where("status", "in", UNFINISHED).execute();
        await trx
          .updateTable("jobs")
          .set((eb) => ({ ...failed, error: eb.fn.coalesce("error", eb.val(reason)) }))
          .where("status", "in", UNFINISHED)
          .execute();
        await trx
          .updateTable("runs")
          .set((eb) => ({ ...failed, error: eb.fn.coalesce("error", eb.val(reason)) }))
          .where("status", "in", UNFINISHED)
          .execute();
        return runs.map((run) => run.id);
      }),
    );
  }
}

function runColumns(patch: RunPatch): Updateable<RunsTable> {
  const columns: Updateable<RunsTable> = {};
  if (patch.workflowName !== undefined) columns.workflow_name = patch.workflowName;
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.conclusion !== undefined) columns.conclusion = patch.conclusion;
  if (patch.error !== undefined) columns.error = patch.error;
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.completedAt !== undefined) columns.completed_at = patch.completedAt;
  return columns;
}

function jobColumns(patch: JobPatch): Updateable<JobsTable> {
  const columns: Updateable<JobsTable> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.conclusion !== undefined) columns.conclusion = patch.conclusion;
  if (patch.outputs !== undefined) columns.outputs_json = toJsonText(patch.outputs);
  if (patch.environment !== undefined) columns.environment = patch.environment;
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.completedAt !== undefined) columns.completed_at = patch.completedAt;
  if (patch.error !== undefined) columns.error = patch.error;
  return columns;
}

function stepColumns(patch: StepPatch): Updateable<StepsTable> {
  const columns: Updateable<StepsTable> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.conclusion !== undefined) columns.conclusion = patch.conclusion;
  if (patch.outcome !== undefined) columns.outcome = patch.outcome;
  if (patch.outputs !== undefined) columns.outputs_json = toJsonText(patch.outputs);
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.completedAt !== undefined) columns.completed_at = patch.completedAt;
  return columns;
}
