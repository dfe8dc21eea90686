/** `jobs.<id>.uses: ./.github/workflows/x.yml`: runs a called workflow's jobs as nested jobs of the caller. */

import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { evaluateTemplate, evaluateToString } from "../expressions";
import type { InputDefinition, JobDefinition } from "../model";
import type { JobGroupResult } from "./job-status";
import type { JobState } from "./run-listener";
import { runJobGraph, type SchedulerScope } from "./scheduler";

export async function runReusableWorkflowJob(scope: SchedulerScope, job: JobDefinition, contexts: JsonObject, states: JobState[]): Promise<JobGroupResult> {
  const call = job.call;
  const fail = async (message: string): Promise<JobGroupResult> => {
    const state: JobState = { key: scope.keyPrefix + job.id, jobId: job.id, name: scope.keyPrefix + job.id, matrix: {}, needs: job.needs, status: "completed", conclusion: "failure", message, outputs: {}, steps: [], completedAt: Date.now() };
    states.push(state);
    await scope.listener.jobQueued?.(state);
    await scope.listener.jobFinished?.(state);
    return { result: "failure", outputs: {}, failsRun: true };
  };
  if (!call) return fail("internal: not a reusable workflow job");
  if (!scope.options.loadWorkflow) return fail(`Reusable workflows are not available here (${call.uses}).`);
  if (scope.keyPrefix.split(" / ").length > 4) return fail(`Reusable workflows nest at most 4 levels deep (${call.uses}).`);
  try {
    const callee = await scope.options.loadWorkflow(call.uses.replace(/^\.\//, ""));
    const definitions = callee.on.workflowCall;
    if (!definitions) return fail(`${call.uses} has no 'on: workflow_call' trigger.`);
    const inputs = resolveCallInputs(definitions.inputs, evaluateTemplate(call.with, contexts) as JsonObject, call.uses);
    const secrets = call.secrets === "inherit" ? (contexts.secrets as JsonObject) : (evaluateTemplate(call.secrets, contexts) as JsonObject);
    const github = { ...(contexts.github as JsonObject), workflow: callee.name };
    const runContexts = { ...scope.runContexts, github, inputs, secrets, env: {} };
    const nested = await runJobGraph({ ...scope, workflow: callee, runContexts, keyPrefix: `${scope.keyPrefix}${job.id} / ` });
    // The called workflow's jobs are jobs of this run (`build / image`), as GitHub lists them.
    states.push(...nested.jobs);
    const jobsContext: JsonObject = {};
    for (const [id, r] of nested.results) jobsContext[id] = { result: r.result, outputs: r.outputs };
    const outputs: Record<string, string> = {};
    for (const [name, def] of Object.entries(definitions.outputs)) outputs[name] = evaluateToString(def.value, { ...runContexts, jobs: jobsContext });
    return { result: nested.conclusion, outputs, failsRun: true };
  } catch (error) {
    return fail(describeError(error));
  }
}

function resolveCallInputs(definitions: Record<string, InputDefinition>, given: JsonObject | null, uses: string): JsonObject {
  const inputs: JsonObject = {};
  const values = given ?? {};
  for (const name of Object.keys(values)) {
    if (!(name in definitions)) throw new Error(`Invalid input '${name}' for ${uses}: it is not defined by the called workflow.`);
  }
  for (const [name, def] of Object.entries(definitions)) {
    const value = values[name] ?? def.default ?? null;
    if (value === null && def.required) throw new Error(`Input '${name}' is required by ${uses}.`);
    if (value !== null && def.type === "boolean" && typeof value !== "boolean") throw new Error(`Input '${name}' of ${uses} must be a boolean.`);
    if (value !== null && def.type === "number" && typeof value !== "number") throw new Error(`Input '${name}' of ${uses} must be a number.`);
    inputs[name] = value ?? (def.type === "boolean" ? false : def.type === "number" ? 0 : "");
  }
  return inputs;
}
