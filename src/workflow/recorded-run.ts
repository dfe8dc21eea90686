/** One run from start to end with its record in the store: what `slipway run` and the server both call. */

import type { RunRecord, Store } from "../store";
import type { JsonObject } from "../core/json";
import { describeError } from "../core/errors";
import { combineListeners } from "./engine/run-listener";
import type { RunOptions } from "./engine/run-options";
import { runWorkflow, type RunResult } from "./engine/run-workflow";
import { StoreRunRecorder } from "./run-recorder";

export type RecordedRunOptions = Omit<RunOptions, "runId" | "runNumber">;

export interface RecordedRun {
  run: RunRecord;
  result: RunResult;
}

/** Creates the run record (the run id and number come from the store), then runs and records it. */
export async function createRunRecord(store: Store, options: RecordedRunOptions): Promise<RunRecord> {
  const { workflow, event } = options;
  const run = await store.runs.createRun({
    repo: event.repository,
    workflowFile: workflow.file,
    workflowName: workflow.name,
    event: event.name,
    ref: event.ref,
    sha: event.sha,
    actor: event.actor,
    inputs: (event.inputs ?? {}) as JsonObject,
  });
  await store.events.append({ type: "run.queued", subject: `run:${run.id}`, payload: { runId: run.id, workflow: workflow.file, event: event.name, sha: event.sha, ref: event.ref } });
  return run;
}

export async function executeRecordedRun(store: Store, run: RunRecord, options: RecordedRunOptions): Promise<RecordedRun> {
  const recorder = new StoreRunRecorder(store, run.id);
  await store.runs.updateRun(run.id, { status: "in_progress", startedAt: Date.now() });
  await store.events.append({ type: "run.started", subject: `run:${run.id}`, payload: { runId: run.id } });
  let result: RunResult;
  try {
    result = await runWorkflow({ ...options, runId: run.id, runNumber: run.runNumber, listener: combineListeners(recorder, options.listener) });
  } catch (error) {
    result = { conclusion: "failure", jobs: [], durationMs: 0, message: describeError(error) };
  }
  await recorder.flush();
  const finished = await store.runs.updateRun(run.id, { status: "completed", conclusion: result.conclusion, completedAt: Date.now(), error: result.message ?? null });
  await store.events.append({ type: "run.completed", subject: `run:${run.id}`, payload: { runId: run.id, conclusion: result.conclusion } });
  return { run: finished, result };
}
