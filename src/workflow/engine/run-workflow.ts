/** The engine's entry point: one workflow run for one event, with the same result locally and on the server. */

import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import { githubContext } from "./contexts";
import { ConcurrencyGroups, concurrencySettings } from "./concurrency";
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
    // Groups span runs when the caller shares them (the server, one `slipway run`); else they span this run's jobs.
    const concurrency = options.concurrency ?? new ConcurrencyGroups();
    if (options.workflow.concurrency !== undefined) {
      const { group, cancelInProgress } = concurrencySettings(options.workflow.concurrency, runContexts);
      const acquired = await concurrency.acquire(group, cancelInProgress, { cancel: () => controller.abort(new Error(`Cancelled by concurrency group '${group}'.`)) });
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
      concurrency,
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
