/** JavaScript actions (`runs.using: node20`): main (and pre) in the step, post at the end of the job, with INPUT_* and STATE_*. */

import { join } from "node:path";
import type { JsonObject } from "../../core/json";
import { runScriptStep } from "../executors/host/run-script";
import { defaultStepEnvironment } from "../engine/contexts";
import type { JobExecution } from "../engine/job-execution";
import type { StepState } from "../engine/run-listener";
import type { ActionRuns } from "./action-manifest";
import type { ActionResult, ActionStepRequest } from "./action-request";
import { evaluateCondition } from "../expressions";

type NodeRuns = Extract<ActionRuns, { using: "node" }>;

export function inputEnvironment(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  return env;
}

async function runNodeScript(
  execution: JobExecution,
  step: StepState,
  scriptPath: string,
  env: Record<string, string>,
): Promise<{ ok: boolean; outputs: Record<string, string>; state: Record<string, string>; cancelled: boolean }> {
  const result = await runScriptStep({
    shell: "bash",
    script: `exec "${process.execPath}" "${scriptPath.replace(/"/g, '\\"')}"\n`,
    workingDirectory: execution.dirs.workspace,
    env,
    tempDir: execution.dirs.temp,
    signal: execution.signal,
    masker: execution.masker,
    debug: execution.options.debug,
    sink: { line: (text) => void execution.log(step.number, text), annotation: (a) => void execution.annotate(step.number, a), drain: () => execution.drain() },
  });
  await execution.applyFileCommands(result.files);
  return { ok: result.succeeded, outputs: result.files.outputs, state: result.files.state, cancelled: result.outcome.cancelled };
}

export async function runNodeAction(request: ActionStepRequest, runs: NodeRuns, actionDir: string, inputs: Record<string, string>): Promise<ActionResult> {
  const { execution, logStep, contexts } = request;
  const baseEnv = (): Record<string, string> => {
    const base = { ...defaultStepEnvironment(contexts.github as JsonObject, contexts.runner as JsonObject), GITHUB_ACTION_PATH: actionDir };
    return { ...execution.processEnvironment(base, contexts.env as Record<string, string>), ...inputEnvironment(inputs) };
  };
  const state: Record<string, string> = {};
  if (runs.pre && evaluateCondition(runs.preIf ?? "always()", contexts, { status: request.status, hashFiles: request.execution.hashFiles })) {
    const pre = await runNodeScript(execution, logStep, join(actionDir, runs.pre), baseEnv());
    Object.assign(state, pre.state);
    if (!pre.ok) return { outcome: pre.cancelled ? "cancelled" : "failure", outputs: {} };
  }
  const main = await runNodeScript(execution, logStep, join(actionDir, runs.main), { ...baseEnv(), ...stateEnvironment(state) });
  Object.assign(state, main.state);
  if (runs.post) {
    const postPath = join(actionDir, runs.post);
    execution.posts.push({
      name: `Post ${request.logStep.name}`,
      condition: runs.postIf ?? "always()",
      run: async (exec, step) => (await runNodeScript(exec, step, postPath, { ...baseEnv(), ...stateEnvironment(state) })).ok,
    });
  }
  return { outcome: main.cancelled ? "cancelled" : main.ok ? "success" : "failure", outputs: main.outputs };
}

function stateEnvironment(state: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
}
