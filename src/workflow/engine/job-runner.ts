/** Runs one job instance on the host: environment, steps in order, post steps, outputs, conclusion. */

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import { evaluateCondition, evaluateTemplate, evaluateToString, type ExpressionContexts } from "../expressions";
import { SecretMasker } from "../executors/host/secret-masker";
import type { JobDefinition, StepDefinition } from "../model";
import { githubContext, runnerContext } from "./contexts";
import { foreignRunnerLabels } from "./runner-labels";
import { JobExecution } from "./job-execution";
import type { JobState, RunListener } from "./run-listener";
import type { RunOptions } from "./run-options";
import { evaluateEnvMap, executeStepBody, shouldRunStep, stepDisplayName, stepContexts, stepTimeoutMs } from "./step-runner";
import type { StepScope } from "./step-scope";
import { createJobDirectories, removeCheckouts, writeEventFile } from "./workspace";

export interface JobInstance {
  def: JobDefinition;
  state: JobState;
  /** Contexts shared by the run: github (without job), vars, secrets, inputs, env (workflow-level). */
  runContexts: ExpressionContexts;
  needs: JsonObject;
  strategy: JsonObject;
  ordinal: number;
}

export async function runJob(options: RunOptions, instance: JobInstance, listener: RunListener, runSignal: AbortSignal): Promise<JobState> {
  const { def, state } = instance;
  const dirs = await createJobDirectories(options.dataDir, options.runId, state.key, instance.ordinal);
  const masker = new SecretMasker();
  for (const value of Object.values(options.secrets ?? {})) masker.add(value);
  const github = { ...(instance.runContexts.github as JsonObject), ...githubContext(options.event, runIdentity(options), def.id, dirs.workspace) };
  github.event_path = await writeEventFile(dirs.temp, github.event ?? {});
  const contexts: ExpressionContexts = {
    ...instance.runContexts,
    github,
    runner: runnerContext(dirs.temp, dirs.toolCache, options.debug ?? false),
    matrix: state.matrix,
    strategy: instance.strategy,
    needs: instance.needs,
    job: { status: "success" },
    steps: {},
  };
  const execution = new JobExecution(options, state, dirs, contexts, masker, listener);
  const onRunAbort = (): void => execution.cancel("The run was cancelled.");
  if (runSignal.aborted) onRunAbort();
  runSignal.addEventListener("abort", onRunAbort);

  state.status = "in_progress";
  state.startedAt = Date.now();
  await listener.jobStarted?.(state);
  let timer: NodeJS.Timeout | undefined;
  try {
    const scope = await jobScope(execution, def);
    await warnAboutRunner(execution, def);
    const timeoutMs = stepTimeoutMs(def.timeoutMinutes, contexts as JsonObject, execution.status()) ?? 360 * 60_000;
    timer = setTimeout(() => {
      execution.failed = true;
      state.message = `The job has exceeded the maximum execution time of ${timeoutMs / 60_000} minutes.`;
      execution.controller.abort(new Error(state.message));
    }, timeoutMs);
    for (const stepDef of def.steps) await runTopLevelStep(execution, scope, stepDef);
    await runPostSteps(execution);
    state.outputs = evaluateJobOutputs(execution, def, scope);
    // The environment's url may use the steps context (`url: ${{ steps.deploy.outputs.url }}`): GitHub evaluates it at the end.
    if (def.environment !== undefined) state.environment = evaluateEnvironment(def, stepContexts(execution, scope, {})) ?? state.environment;
  } catch (error) {
    execution.failed = true;
    state.message = describeError(error);
    await execution.log(null, `##[error]${state.message}`);
  } finally {
    if (timer) clearTimeout(timer);
    runSignal.removeEventListener("abort", onRunAbort);
    await cleanUp(options, execution.checkouts, dirs.root);
  }
  state.conclusion = execution.cancelled && !execution.failed ? "cancelled" : execution.failed ? "failure" : "success";
  state.status = "completed";
  state.completedAt = Date.now();
  await listener.jobFinished?.(state);
  return state;
}

async function warnAboutRunner(execution: JobExecution, def: JobDefinition): Promise<void> {
  if (def.runsOn === undefined) return;
  const foreign = foreignRunnerLabels(evaluateTemplate(def.runsOn, execution.contexts as JsonObject));
  if (foreign.length > 0) await execution.log(null, `##[warning]runs-on ${foreign.join(", ")}: the host executor runs Linux jobs; this job runs on the host anyway.`);
}

function runIdentity(options: RunOptions) {
  return { runId: options.runId, runNumber: options.runNumber, workflowName: options.workflow.name, workflowFile: options.workflow.file };
}

async function jobScope(execution: JobExecution, def: JobDefinition): Promise<StepScope> {
  const contexts = execution.contexts as JsonObject;
  const status = execution.status();
  const workflowEnv = (contexts.env ?? {}) as Record<string, string>;
  const jobEnv = evaluateEnvMap(def.env, contexts, status);
  const env = { ...workflowEnv, ...jobEnv };
  if (def.environment !== undefined) execution.state.environment = evaluateEnvironment(def, { ...contexts, env });
  const workflowDefaults = execution.options.workflow.defaults;
  return { contexts: { ...contexts, env }, env, defaults: { ...workflowDefaults, ...stripUndefined(def.defaults) }, stepsContext: {} };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function evaluateEnvironment(def: JobDefinition, contexts: JsonObject): { name: string; url?: string } | undefined {
  const value = evaluateTemplate(def.environment ?? null, contexts);
  if (typeof value === "string") return value ? { name: value } : undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.name === "string") {
    return { name: value.name, url: typeof value.url === "string" && value.url !== "" ? value.url : undefined };
  }
  return undefined;
}

async function runTopLevelStep(execution: JobExecution, scope: StepScope, def: StepDefinition): Promise<void> {
  const status = execution.status();
  const contexts = stepContexts(execution, scope, {});
  const step = execution.newStep(stepDisplayName(def, contexts));
  const decision = await shouldRunStep(execution, step, def, contexts, status);
  if (decision === false) {
    step.outcome = "skipped";
    step.conclusion = "skipped";
    await execution.stepFinished(step);
    recordStep(scope, def, step.outcome, step.conclusion, step.outputs);
    return;
  }
  await execution.stepStarted(step);
  let outcome: Conclusion = "failure";
  if (decision === true) {
    const result = await executeStepBody(execution, scope, def, step, status);
    outcome = result.outcome;
    step.outputs = result.outputs;
  }
  step.outcome = outcome;
  step.conclusion = outcome === "failure" && continueOnError(def, execution, scope) ? "success" : outcome;
  if (step.conclusion === "failure") execution.failed = true;
  if (outcome === "cancelled") execution.cancelled = true;
  recordStep(scope, def, step.outcome, step.conclusion, step.outputs);
  await execution.stepFinished(step);
}

function continueOnError(def: StepDefinition, execution: JobExecution, scope: StepScope): boolean {
  try {
    return evaluateTemplate(def.continueOnError, stepContexts(execution, scope, {}), { status: execution.status() }) === true;
  } catch {
    return false;
  }
}

function recordStep(scope: StepScope, def: StepDefinition, outcome: Conclusion, conclusion: Conclusion, outputs: Record<string, string>): void {
  if (def.id) scope.stepsContext[def.id] = { outputs: { ...outputs }, outcome, conclusion };
}

async function runPostSteps(execution: JobExecution): Promise<void> {
  for (const post of [...execution.posts].reverse()) {
    const step = execution.newStep(post.name);
    const status = execution.status();
    const shouldRun = evaluateCondition(post.condition, execution.contexts, { status });
    if (!shouldRun) {
      step.outcome = step.conclusion = "skipped";
      await execution.stepFinished(step);
      continue;
    }
    await execution.stepStarted(step);
    let ok = false;
    try {
      ok = await post.run(execution, step);
    } catch (error) {
      await execution.log(step.number, `##[error]${describeError(error)}`);
    }
    step.outcome = step.conclusion = ok ? "success" : "failure";
    if (!ok) execution.failed = true;
    await execution.stepFinished(step);
  }
}

function evaluateJobOutputs(execution: JobExecution, def: JobDefinition, scope: StepScope): Record<string, string> {
  const contexts = stepContexts(execution, scope, {});
  const outputs: Record<string, string> = {};
  for (const [name, value] of Object.entries(def.outputs)) {
    const text = evaluateToString(value, contexts, { status: execution.status() });
    // GitHub drops an output that would reveal a secret.
    if (execution.masker.mask(text) !== text) continue;
    outputs[name] = text;
  }
  return outputs;
}

async function cleanUp(options: RunOptions, checkouts: string[], root: string): Promise<void> {
  if (options.keepWorkspaces) return;
  await removeCheckouts(checkouts).catch(() => undefined);
  await rm(join(root, "workspace"), { recursive: true, force: true }).catch(() => undefined);
  await rm(join(root, "temp"), { recursive: true, force: true }).catch(() => undefined);
}
