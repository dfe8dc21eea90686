/** Runs a corpus case through `matchTrigger` and `runWorkflow`, collecting every job's logs, annotations and summary. */

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describeError } from "../../../src/core/errors";
import { ConcurrencyGroups } from "../../../src/workflow/engine/concurrency";
import type { Annotation, JobState, RunListener } from "../../../src/workflow/engine/run-listener";
import { runWorkflow, type RunResult } from "../../../src/workflow/engine/run-workflow";
import { safeName } from "../../../src/workflow/engine/workspace";
import type { Workflow } from "../../../src/workflow/model";
import { matchTrigger, resolveDispatchInputs } from "../../../src/workflow/triggers";
import type { CaseRun, CorpusCase } from "./corpus-case";
import type { ObservedJob, ObservedWorkflow } from "./observed-run";
import { caseEvent, eventForWorkflow, workflowKey, workflowLoader, type PreparedCase } from "./prepare-case";

/** Log lines and annotations of one run, by job key. */
class CollectingListener implements RunListener {
  readonly logs = new Map<string, Map<number, string[]>>();
  readonly annotations = new Map<string, Annotation[]>();
  private startedResolve: (() => void) | undefined;
  /** Settles when the first step of the run has started. */
  readonly firstStepStarted = new Promise<void>((resolve) => (this.startedResolve = resolve));

  stepStarted(): void {
    this.startedResolve?.();
  }

  log(job: JobState, stepNumber: number | null, line: string): void {
    const byStep = this.logs.get(job.key) ?? new Map<number, string[]>();
    this.logs.set(job.key, byStep);
    const lines = byStep.get(stepNumber ?? 0) ?? [];
    byStep.set(stepNumber ?? 0, lines);
    lines.push(line);
  }

  annotation(job: JobState, _stepNumber: number | null, annotation: Annotation): void {
    const list = this.annotations.get(job.key) ?? [];
    this.annotations.set(job.key, list);
    list.push(annotation);
  }
}

/** The job's summary.md, which outlives its workspace: `<dataDir>/work/<runId>/<ordinal>-<key>/summary.md`. */
async function readSummary(dataDir: string, runId: number, key: string): Promise<string> {
  const runDir = join(dataDir, "work", String(runId));
  const entries = await readdir(runDir).catch(() => [] as string[]);
  const folder = entries.find((name) => name.replace(/^\d+-/, "") === safeName(key));
  if (!folder) return "";
  return readFile(join(runDir, folder, "summary.md"), "utf8").catch(() => "");
}

async function observe(result: RunResult, listener: CollectingListener, dataDir: string, runId: number): Promise<ObservedWorkflow> {
  const jobs: ObservedJob[] = [];
  for (const job of result.jobs) {
    jobs.push({
      key: job.key,
      conclusion: job.conclusion ?? null,
      outputs: job.outputs,
      environment: job.environment,
      message: job.message,
      steps: job.steps.map((s) => ({ name: s.name, outcome: s.outcome ?? null, conclusion: s.conclusion ?? null, outputs: s.outputs })),
      logs: listener.logs.get(job.key) ?? new Map(),
      annotations: listener.annotations.get(job.key) ?? [],
      summary: await readSummary(dataDir, runId, job.key),
    });
  }
  return { triggered: true, conclusion: result.conclusion, message: result.message, jobs };
}

export interface EngineRunScope {
  corpusCase: CorpusCase;
  prepared: PreparedCase;
  dataDir: string;
  concurrency: ConcurrencyGroups;
  nextRunId: { value: number };
}

interface StartedRun {
  /** Settles once every triggered workflow of the run has a step started (or finished without any). */
  started: Promise<void>;
  done: Promise<Map<string, ObservedWorkflow>>;
}

function startWorkflow(scope: EngineRunScope, run: CaseRun, workflow: Workflow, event: Awaited<ReturnType<typeof caseEvent>>): { started: Promise<void>; done: Promise<ObservedWorkflow> } {
  const perWorkflow = eventForWorkflow(event, run.event);
  const match = matchTrigger(workflow, perWorkflow);
  if (!match.matched) return { started: Promise.resolve(), done: Promise.resolve({ triggered: false, reason: match.reason }) };
  if (workflow.on.workflowDispatch && perWorkflow.name === "workflow_dispatch") {
    try {
      perWorkflow.inputs = resolveDispatchInputs(workflow.on.workflowDispatch.inputs, run.event.inputs ?? {});
    } catch (error) {
      return { started: Promise.resolve(), done: Promise.resolve({ triggered: true, rejected: describeError(error) }) };
    }
  }
  const runId = scope.nextRunId.value++;
  const listener = new CollectingListener();
  const done = runWorkflow({
    workflow,
    event: perWorkflow,
    repoDir: scope.prepared.repo.dir,
    dataDir: scope.dataDir,
    runId,
    runNumber: runId,
    secrets: run.secrets,
    vars: run.vars,
    maxParallelJobs: scope.corpusCase.maxParallelJobs ?? 2,
    listener,
    concurrency: scope.concurrency,
    loadWorkflow: workflowLoader(scope.prepared.repo.dir),
  }).then((result) => observe(result, listener, scope.dataDir, runId));
  return { started: Promise.race([listener.firstStepStarted, done.then(() => undefined)]), done };
}

/** Starts every workflow the run's event triggers. */
export async function startRun(scope: EngineRunScope, run: CaseRun): Promise<StartedRun> {
  const event = await caseEvent(scope.prepared.repo, run.event);
  const started = scope.prepared.workflows.map((workflow) => ({ key: workflowKey(workflow), ...startWorkflow(scope, run, workflow, event) }));
  const done = Promise.all(started.map(async (s) => [s.key, await s.done] as const)).then((entries) => new Map(entries));
  return { started: Promise.all(started.map((s) => s.started)).then(() => undefined), done };
}

/** Runs the case's runs in order; a run marked overlapPrevious starts once a step of the previous one has started. */
export async function runCaseWithEngine(scope: EngineRunScope): Promise<Map<string, ObservedWorkflow>[]> {
  const pending: Promise<Map<string, ObservedWorkflow>>[] = [];
  let previous: StartedRun | undefined;
  for (const run of scope.corpusCase.runs) {
    if (previous && !run.overlapPrevious) await previous.done;
    else if (previous) await previous.started;
    previous = await startRun(scope, run);
    pending.push(previous.done);
  }
  return Promise.all(pending);
}
