/** The engine's entry point: one workflow run for one event, with the same result locally and on the server. */

import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import { evaluateTemplate, evaluateToString } from "../expressions";
import type { ConcurrencyDefinition } from "../model";
import { githubContext } from "./contexts";
import { combineListeners, type JobState } from "./run-listener";
import type { RunOptions } from "./run-options";
import { createSemaphore, runJobGraph } from "./scheduler";
import { evaluateEnvMap } from "./step-runner";

export interface RunResult {
  conclusion: Conclusion;
  jobs: JobState[];
  durationMs: number;
  /** Set when the run could not start (invalid workflow env, concurrency, …). */
  message?: string;
}

export async function runWorkflow(options: RunOptions): Promise<RunResult> {
  const startedAt = Date.now();
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forwardAbort();
  options.signal?.addEventListener("abort", forwardAbort);
  const listener = combineListeners(options.listener);
  const github = githubContext(options.event, { runId: options.runId, runNumber: options.runNumber, workflowName: options.workflow.name, workflowFile: options.workflow.file }, "", "");
  const secrets = { GITHUB_TOKEN: "", ...(options.secrets ?? {}) };
  const baseContexts: JsonObject = { github, vars: { ...(options.vars ?? {}) }, secrets, inputs: { ...(options.event.inputs ?? {}) } };
  let release: (() => void) | undefined;
  try {
    const env = evaluateEnvMap(options.workflow.env, baseContexts, { success: () => true, failure: () => false, cancelled: () => false });
    const runContexts = { ...baseContexts, env };
    if (options.workflow.concurrency !== undefined && options.concurrency) {
      const { group, cancelInProgress } = concurrencySettings(options.workflow.concurrency, runContexts);
      const acquired = await options.concurrency.acquire(group, cancelInProgress, { cancel: () => controller.abort(new Error(`Cancelled by concurrency group '${group}'.`)) });
      if (!acquired) return { conclusion: "cancelled", jobs: [], durationMs: Date.now() - startedAt, message: `Cancelled: a newer run is waiting in concurrency group '${group}'.` };
      release = acquired;
    }
    const result = await runJobGraph({
      options,
      workflow: options.workflow,
      listener,
      runContexts,
      signal: controller.signal,
      semaphore: createSemaphore(options),
      keyPrefix: "",
      ordinals: { next: 1 },
    });
    const conclusion = controller.signal.aborted && result.conclusion !== "failure" ? "cancelled" : result.conclusion;
    return { conclusion, jobs: result.jobs, durationMs: Date.now() - startedAt };
  } catch (error) {
    return { conclusion: "failure", jobs: [], durationMs: Date.now() - startedAt, message: describeError(error) };
  } finally {
    release?.();
    options.signal?.removeEventListener("abort", forwardAbort);
  }
}

export function concurrencySettings(def: ConcurrencyDefinition, contexts: JsonObject): { group: string; cancelInProgress: boolean } {
  const group = evaluateToString(def.group, contexts);
  const cancelInProgress = evaluateTemplate(def.cancelInProgress, contexts) === true;
  return { group, cancelInProgress };
}
