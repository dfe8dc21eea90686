/** Runs one step: its condition, env and name, then a `run:` script or a `uses:` action. */

import { isAbsolute, join } from "node:path";
import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import { evaluateCondition, evaluateTemplate, evaluateToString, type StatusFunctions } from "../expressions";
import { runScriptStep } from "../executors/host/run-script";
import { describeShell } from "../executors/host/shell";
import type { StepDefinition, TemplateValue } from "../model";
import { runActionStep } from "../actions/run-action";
import type { JobExecution } from "./job-execution";
import type { StepState } from "./run-listener";
import type { StepScope } from "./step-scope";
import { defaultStepEnvironment } from "./contexts";

export interface StepResult {
  outcome: Conclusion;
  outputs: Record<string, string>;
}

/** Contexts a step's expressions see: the scope's, with `env` including GITHUB_ENV additions and the step's own env. */
export function stepContexts(execution: JobExecution, scope: StepScope, stepEnv: Record<string, string>): JsonObject {
  const job = { ...((scope.contexts.job ?? {}) as JsonObject), status: jobStatus(execution) };
  return { ...scope.contexts, env: { ...scope.env, ...execution.addedEnv, ...stepEnv }, steps: scope.stepsContext, job } as JsonObject;
}

/** `job.status` as the job stands now: a failure outranks a cancellation, as in the job's conclusion. */
function jobStatus(execution: JobExecution): string {
  if (execution.failed) return "failure";
  return execution.cancelled ? "cancelled" : "success";
}

export function evaluateEnvMap(value: TemplateValue, contexts: JsonObject, status: StatusFunctions): Record<string, string> {
  const evaluated = evaluateTemplate(value, contexts, { status });
  if (evaluated === null || evaluated === undefined) return {};
  if (typeof evaluated !== "object" || Array.isArray(evaluated)) throw new Error("env must be a mapping");
  const env: Record<string, string> = {};
  for (const [key, item] of Object.entries(evaluated)) {
    env[key] = item === null ? "" : typeof item === "object" ? JSON.stringify(item) : String(item);
  }
  return env;
}

export function defaultStepName(def: StepDefinition): string {
  if (def.uses) return `Run ${def.uses}`;
  if (typeof def.run === "string") return `Run ${def.run.split("\n")[0]}`;
  return `Run step ${def.index + 1}`;
}

export function stepDisplayName(def: StepDefinition, contexts: JsonObject): string {
  try {
    if (def.name !== undefined) return evaluateToString(def.name, contexts) || defaultStepName(def);
    // GitHub names an unnamed run step after the first line of its script, expressions evaluated.
    if (def.run !== undefined && typeof def.run !== "string") return `Run ${evaluateToString(def.run, contexts).split("\n")[0]}`;
  } catch {
    // fall through to the static name
  }
  return defaultStepName(def);
}

/** Evaluates the condition; an invalid expression fails the step with a message, like GitHub. */
export async function shouldRunStep(execution: JobExecution, step: StepState, def: StepDefinition, contexts: JsonObject, status: StatusFunctions): Promise<boolean | "error"> {
  try {
    return evaluateCondition(def.if, contexts, { status, hashFiles: execution.hashFiles });
  } catch (error) {
    await execution.log(step.number, `##[error]The step's condition is invalid: ${describeError(error)}`);
    return "error";
  }
}

/** Runs the step's body (script or action) after its condition passed. Logs go to `logStep`. */
export async function executeStepBody(execution: JobExecution, scope: StepScope, def: StepDefinition, logStep: StepState, status: StatusFunctions): Promise<StepResult> {
  let stepEnv: Record<string, string>;
  let contexts: JsonObject;
  try {
    stepEnv = evaluateEnvMap(def.env, stepContexts(execution, scope, {}), status);
    contexts = stepContexts(execution, scope, stepEnv);
  } catch (error) {
    await execution.log(logStep.number, `##[error]${describeError(error)}`);
    return { outcome: "failure", outputs: {} };
  }
  try {
    if (def.uses) return await runActionStep({ execution, scope, def, logStep, contexts, stepEnv, status });
    return await runScript(execution, scope, def, logStep, contexts, stepEnv, status);
  } catch (error) {
    await execution.log(logStep.number, `##[error]${describeError(error)}`);
    return { outcome: "failure", outputs: {} };
  }
}

async function runScript(
  execution: JobExecution,
  scope: StepScope,
  def: StepDefinition,
  logStep: StepState,
  contexts: JsonObject,
  stepEnv: Record<string, string>,
  status: StatusFunctions,
): Promise<StepResult> {
  const script = evaluateToString(def.run ?? "", contexts, { status, hashFiles: execution.hashFiles });
  const shell = def.shell ?? scope.defaults.shell;
  const workingDirectory = resolveWorkingDirectory(execution, scope, def, contexts, status);
  const timeoutMs = stepTimeoutMs(def.timeoutMinutes, contexts, status);
  await logRunHeader(execution, logStep.number, script, shell, stepEnv);
  const base = defaultStepEnvironment(contexts.github as JsonObject, contexts.runner as JsonObject);
  if (scope.actionPath) base.GITHUB_ACTION_PATH = scope.actionPath;
  const env = execution.processEnvironment(base, contexts.env as Record<string, string>);
  const result = await runScriptStep({
    shell,
    script,
    workingDirectory,
    env,
    tempDir: execution.dirs.temp,
    timeoutMs,
    signal: execution.signal,
    masker: execution.masker,
    debug: execution.options.debug,
    sink: {
      line: (text) => void execution.log(logStep.number, text),
      annotation: (a) => void execution.annotate(logStep.number, a),
      drain: () => execution.drain(),
    },
  });
  await execution.applyFileCommands(result.files);
  if (result.outcome.cancelled) return { outcome: "cancelled", outputs: result.files.outputs };
  return { outcome: result.succeeded ? "success" : "failure", outputs: result.files.outputs };
}

function resolveWorkingDirectory(execution: JobExecution, scope: StepScope, def: StepDefinition, contexts: JsonObject, status: StatusFunctions): string {
  const raw = def.workingDirectory !== undefined ? evaluateToString(def.workingDirectory, contexts, { status }) : scope.defaults.workingDirectory;
  if (!raw) return execution.dirs.workspace;
  return isAbsolute(raw) ? raw : join(execution.dirs.workspace, raw);
}

export function stepTimeoutMs(value: TemplateValue | undefined, contexts: JsonObject, status: StatusFunctions): number | undefined {
  if (value === undefined || value === null) return undefined;
  const minutes = Number(evaluateTemplate(value, contexts, { status }));
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`timeout-minutes must be a positive number, got ${JSON.stringify(value)}`);
  return Math.round(minutes * 60_000);
}

async function logRunHeader(execution: JobExecution, stepNumber: number, script: string, shell: string | undefined, stepEnv: Record<string, string>): Promise<void> {
  const lines = script.replace(/\n$/, "").split("\n");
  await execution.log(stepNumber, `##[group]Run ${lines[0] ?? ""}`);
  for (const line of lines.slice(1)) await execution.log(stepNumber, line);
  await execution.log(stepNumber, `shell: ${describeShell(shell)}`);
  const names = Object.keys(stepEnv);
  if (names.length > 0) {
    await execution.log(stepNumber, "env:");
    for (const name of names) await execution.log(stepNumber, `  ${name}: ${stepEnv[name]}`);
  }
  await execution.log(stepNumber, "##[endgroup]");
}
