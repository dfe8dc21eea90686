/**
 * The seam for protected environments: before a job with `environment:` takes a runner slot it asks the
 * caller's gate, which may hold it (status `waiting`) until the deployment is approved. The server supplies
 * a gate backed by its approvals; `slipway run` has none, so local jobs never wait.
 */

import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import { evaluateTemplate } from "../expressions";
import type { JobDefinition } from "../model";
import type { JobState, RunListener } from "./run-listener";
import type { RunOptions } from "./run-options";

export interface EnvironmentGateRequest {
  runId: number;
  runNumber: number;
  /** `owner/name`: whose environment it is. */
  repository: string;
  workflowFile: string;
  workflowName: string;
  ref: string;
  sha: string;
  /** Who triggered the run: the requester, who cannot approve it. */
  actor: string;
  job: { key: string; name: string };
  environment: { name: string; url?: string };
}

export type EnvironmentGateDecision = { proceed: true } | { proceed: false; conclusion: Extract<Conclusion, "failure" | "cancelled">; message: string };

export interface EnvironmentGateControl {
  /** Aborted when the run (or the job's group) is cancelled: the gate withdraws its request and answers `cancelled`. */
  signal: AbortSignal;
  /** The gate holds the job: marks it `waiting` and writes `message` to the job's log. */
  waiting(message: string): Promise<void>;
}

export interface EnvironmentGate {
  /** Resolves at once for an unprotected environment; else when the job may run or must not. */
  enter(request: EnvironmentGateRequest, control: EnvironmentGateControl): Promise<EnvironmentGateDecision>;
}

/** `environment: production` or `{ name, url }` with the job's contexts (no `env`, no `steps`, as GitHub allows). */
export function environmentOf(def: JobDefinition, contexts: JsonObject): { name: string; url?: string } | undefined {
  const value = evaluateTemplate(def.environment ?? null, contexts);
  if (typeof value === "string") return value ? { name: value } : undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.name === "string" && value.name !== "") {
    return { name: value.name, url: typeof value.url === "string" && value.url !== "" ? value.url : undefined };
  }
  return undefined;
}

/**
 * Asks the run's gate about one job instance. Undefined: run it (no gate, no environment, or approved);
 * otherwise the conclusion and message to finish it with, without running.
 */
export async function passEnvironmentGate(
  options: RunOptions,
  listener: RunListener,
  def: JobDefinition,
  state: JobState,
  contexts: JsonObject,
  signal: AbortSignal,
): Promise<{ conclusion: Extract<Conclusion, "failure" | "cancelled">; message: string } | undefined> {
  const gate = options.environmentGate;
  if (!gate || def.environment === undefined) return undefined;
  let environment: { name: string; url?: string } | undefined;
  try {
    environment = environmentOf(def, contexts);
  } catch {
    // The job runner evaluates it again and reports the error where the user looks for it.
    return undefined;
  }
  if (!environment) return undefined;
  state.environment = environment;
  const { event, workflow } = options;
  const decision = await gate.enter(
    {
      runId: options.runId, runNumber: options.runNumber, repository: event.repository, workflowFile: workflow.file, workflowName: workflow.name,
      ref: event.ref, sha: event.sha, actor: event.actor, job: { key: state.key, name: state.name }, environment,
    },
    {
      signal,
      waiting: async (message) => {
        state.status = "waiting";
        await listener.log?.(state, null, message);
      },
    },
  );
  if (decision.proceed) return undefined;
  return { conclusion: decision.conclusion, message: decision.message };
}
