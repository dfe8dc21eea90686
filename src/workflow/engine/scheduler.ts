/**
 * Runs a workflow's jobs as a DAG: a job starts when everything it needs has finished, matrix
 * instances run in parallel up to the run's and the strategy's limits, fail-fast cancels siblings.
 */

import { cpus } from "node:os";
import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { combineConclusions, type Conclusion } from "../conclusions";
import { evaluateCondition, evaluateTemplate, evaluateToString, type ExpressionContexts } from "../expressions";
import type { JobDefinition, Workflow } from "../model";
import { matrixInstances, matrixJobName, planJobGraph, transitiveNeeds } from "../plan";
import { jobStatusFunctions, needsContext, type JobGroupResult } from "./job-status";
import { runJob } from "./job-runner";
import type { JobState, RunListener } from "./run-listener";
import type { RunOptions } from "./run-options";
import { Semaphore } from "./semaphore";
import { concurrencySettings, type ConcurrencyGroups } from "./concurrency";
import { runReusableWorkflowJob } from "./reusable-workflow";
import { passEnvironmentGate } from "./environment-gate";

export interface SchedulerScope {
  options: RunOptions;
  workflow: Workflow;
  listener: RunListener;
  /** Contexts shared by every job: github, vars, secrets, inputs, env (workflow level). */
  runContexts: ExpressionContexts;
  signal: AbortSignal;
  semaphore: Semaphore;
  /** `concurrency` groups of runs and jobs. */
  concurrency: ConcurrencyGroups;
  /** Prefix for job keys of a called workflow, e.g. `deploy / `. */
  keyPrefix: string;
  /** Ordinal counter shared across nested workflows, for unique work directories. */
  ordinals: { next: number };
}

export interface SchedulerResult {
  conclusion: Conclusion;
  results: Map<string, JobGroupResult>;
  jobs: JobState[];
}

export function createSemaphore(options: RunOptions): Semaphore {
  return new Semaphore(Math.max(1, options.maxParallelJobs ?? cpus().length));
}

export async function runJobGraph(scope: SchedulerScope): Promise<SchedulerResult> {
  const { workflow } = scope;
  const selected = selectJobs(workflow.jobs, scope.options.onlyJob, scope.keyPrefix === "");
  const graph = planJobGraph(selected);
  const results = new Map<string, JobGroupResult>();
  const states: JobState[] = [];
  const started = new Set<string>();
  const byId = new Map(selected.map((job) => [job.id, job]));

  await new Promise<void>((resolve) => {
    const launchReady = (): void => {
      for (const id of graph.order) {
        if (started.has(id)) continue;
        const job = byId.get(id) as JobDefinition;
        if (!job.needs.every((need) => results.has(need) || !byId.has(need))) continue;
        started.add(id);
        void runJobGroup(scope, job, selected, results, states).then((result) => {
          results.set(id, result);
          if (results.size === graph.order.length) resolve();
          else launchReady();
        });
      }
      if (graph.order.length === 0) resolve();
    };
    launchReady();
  });

  const failing = [...results.values()].filter((r) => r.failsRun || r.result !== "failure").map((r) => r.result);
  return { conclusion: combineConclusions(failing), results, jobs: states };
}

function selectJobs(jobs: JobDefinition[], onlyJob: string | undefined, topLevel: boolean): JobDefinition[] {
  if (!onlyJob || !topLevel) return jobs;
  const keep = new Set([onlyJob, ...transitiveNeeds(jobs, onlyJob)]);
  return jobs.filter((job) => keep.has(job.id));
}

function newJobState(scope: SchedulerScope, job: JobDefinition, key: string, name: string, matrix: JsonObject): JobState {
  return { key: scope.keyPrefix + key, jobId: job.id, name: scope.keyPrefix + name, matrix, needs: job.needs, status: "queued", outputs: {}, steps: [] };
}

async function finishWithoutRunning(scope: SchedulerScope, state: JobState, conclusion: Conclusion, message: string, states: JobState[]): Promise<void> {
  state.status = "completed";
  state.conclusion = conclusion;
  state.message = message;
  state.completedAt = Date.now();
  states.push(state);
  await scope.listener.jobQueued?.(state);
  await scope.listener.jobFinished?.(state);
}

async function runJobGroup(
  scope: SchedulerScope,
  job: JobDefinition,
  jobs: JobDefinition[],
  results: Map<string, JobGroupResult>,
  states: JobState[],
): Promise<JobGroupResult> {
  const needs = needsContext(job.needs, results);
  const status = jobStatusFunctions(job.needs, transitiveNeeds(jobs, job.id), results, () => scope.signal.aborted);
  const contexts: JsonObject = { ...(scope.runContexts as JsonObject), needs };
  const displayName = (matrix: JsonObject): string => {
    if (job.name === undefined) return job.id;
    try {
      return evaluateToString(job.name, { ...contexts, matrix }) || job.id;
    } catch {
      return job.id;
    }
  };
  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(job.if, contexts, { status });
  } catch (error) {
    const state = newJobState(scope, job, job.id, displayName({}), {});
    await finishWithoutRunning(scope, state, "failure", `The job's condition is invalid: ${describeError(error)}`, states);
    return { result: "failure", outputs: {}, failsRun: true };
  }
  if (!shouldRun) {
    const conclusion: Conclusion = scope.signal.aborted ? "cancelled" : "skipped";
    const state = newJobState(scope, job, job.id, displayName({}), {});
    await finishWithoutRunning(scope, state, conclusion, `Skipped: the condition \`${job.if}\` was false.`, states);
    return { result: conclusion, outputs: {}, failsRun: false };
  }
  if (job.call) return runReusableWorkflowJob(scope, job, contexts, states);

  let combinations: JsonObject[];
  let failFast = true;
  let maxParallel = Infinity;
  try {
    combinations = matrixInstances(job.strategy?.matrix === undefined ? undefined : evaluateTemplate(job.strategy.matrix, contexts));
    if (job.strategy) {
      failFast = evaluateTemplate(job.strategy.failFast, contexts) !== false;
      if (job.strategy.maxParallel !== undefined) maxParallel = Math.max(1, Number(evaluateTemplate(job.strategy.maxParallel, contexts)) || 1);
    }
  } catch (error) {
    const state = newJobState(scope, job, job.id, displayName({}), {});
    await finishWithoutRunning(scope, state, "failure", `Error when evaluating 'strategy' for job '${job.id}': ${describeError(error)}`, states);
    return { result: "failure", outputs: {}, failsRun: true };
  }
  const isMatrix = job.strategy?.matrix !== undefined;
  const instances = combinations.map((matrix) => {
    const key = isMatrix ? matrixJobName(job.id, matrix) : job.id;
    const name = isMatrix && job.name === undefined ? matrixJobName(job.id, matrix) : displayName(matrix);
    return newJobState(scope, job, key, name, matrix);
  });
  for (const state of instances) {
    states.push(state);
    await scope.listener.jobQueued?.(state);
  }
  const decidedAfterCancel = scope.signal.aborted;
  const strategyController = new AbortController();
  const strategySemaphore = new Semaphore(Number.isFinite(maxParallel) ? maxParallel : instances.length || 1);
  const outputs: Record<string, string> = {};
  const conclusions: Conclusion[] = [];
  await Promise.all(
    instances.map(async (state, index) => {
      const strategy = { "fail-fast": failFast, "job-index": index, "job-total": instances.length, "max-parallel": Number.isFinite(maxParallel) ? maxParallel : instances.length };
      // Job-level `concurrency`: wait for (or take over) the group before taking a run slot.
      const groupController = new AbortController();
      let releaseGroup: (() => void) | undefined;
      if (job.concurrency) {
        const { group, cancelInProgress } = concurrencySettings(job.concurrency, { ...contexts, matrix: state.matrix, strategy });
        const acquired = await scope.concurrency.acquire(group, cancelInProgress, { cancel: (reason) => groupController.abort(new Error(reason)) });
        if (!acquired) {
          await finishInstance(scope, state, "cancelled", `Cancelled: a newer job is waiting in concurrency group '${group}'.`, conclusions);
          return;
        }
        releaseGroup = acquired;
      }
      // A protected environment holds the job before it takes a runner slot, as GitHub's waiting jobs do.
      const gateSignal = (): AbortSignal => AbortSignal.any([strategyController.signal, groupController.signal, ...(decidedAfterCancel ? [] : [scope.signal])]);
      const blocked = scope.options.environmentGate && job.environment !== undefined
        ? await passEnvironmentGate(scope.options, scope.listener, job, state, { ...contexts, matrix: state.matrix, strategy }, gateSignal())
        : undefined;
      if (blocked) {
        releaseGroup?.();
        await finishInstance(scope, state, blocked.conclusion, blocked.message, conclusions);
        return;
      }
      const releaseStrategy = await strategySemaphore.acquire();
      const releaseRun = await scope.semaphore.acquire();
      try {
        const cancelledWhileQueued = scope.signal.aborted && !decidedAfterCancel;
        if (strategyController.signal.aborted || cancelledWhileQueued || groupController.signal.aborted) {
          const message = cancelledWhileQueued ? "The run was cancelled." : groupController.signal.aborted ? String(groupController.signal.reason) : "Cancelled by fail-fast: another matrix job failed.";
          await finishInstance(scope, state, "cancelled", message, conclusions);
          return;
        }
        // A job whose `if:` chose to run after the run was cancelled (always(), cancelled()) runs to its end.
        const own = [strategyController.signal, groupController.signal];
        const signal = decidedAfterCancel ? AbortSignal.any(own) : AbortSignal.any([scope.signal, ...own]);
        const finished = await runJob(
          scope.options,
          { def: job, state, runContexts: scope.runContexts, needs, strategy, ordinal: scope.ordinals.next++ },
          scope.listener,
          signal,
        );
        // Matrix jobs share one set of outputs: a later job's value wins, but an empty value never erases one (GitHub's docs example).
        for (const [name, value] of Object.entries(finished.outputs)) if (value !== "" || !(name in outputs)) outputs[name] = value;
        // continue-on-error may depend on the matrix (`${{ matrix.experimental }}`): evaluated per instance.
        const continueOnError = evaluateContinueOnError(job, { ...contexts, matrix: state.matrix });
        // GitHub reports a job that failed with continue-on-error as `success` to `needs` and the run.
        conclusions.push(finished.conclusion === "failure" && continueOnError ? "success" : (finished.conclusion ?? "failure"));
        if (finished.conclusion === "failure" && failFast && !continueOnError && instances.length > 1) strategyController.abort();
      } finally {
        releaseRun();
        releaseStrategy();
        releaseGroup?.();
      }
    }),
  );
  const result = combineConclusions(conclusions);
  return { result, outputs, failsRun: true };
}

async function finishInstance(scope: SchedulerScope, state: JobState, conclusion: Conclusion, message: string, conclusions: Conclusion[]): Promise<void> {
  state.status = "completed";
  state.conclusion = conclusion;
  state.message = message;
  state.completedAt = Date.now();
  await scope.listener.jobFinished?.(state);
  conclusions.push(conclusion);
}

function evaluateContinueOnError(job: JobDefinition, contexts: JsonObject): boolean {
  try {
    return evaluateTemplate(job.continueOnError, contexts) === true;
  } catch {
    return false;
  }
}
