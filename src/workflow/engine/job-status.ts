/** Job-level status functions and needs results: what a job's `if:` sees of the jobs before it. */

import type { JsonObject } from "../../core/json";
import type { Conclusion } from "../conclusions";
import type { StatusFunctions } from "../expressions";

export interface JobGroupResult {
  /** What `needs.<id>.result` shows. */
  result: Conclusion;
  outputs: Record<string, string>;
  /** False when the job failed with continue-on-error: dependents and the run treat it as passing. */
  failsRun: boolean;
}

export function needsContext(needs: string[], results: Map<string, JobGroupResult>): JsonObject {
  const context: JsonObject = {};
  for (const need of needs) {
    const found = results.get(need);
    if (found) context[need] = { result: found.result, outputs: { ...found.outputs } };
  }
  return context;
}

/**
 * success(): every direct need passed; failure(): any ancestor failed (GitHub: "if any ancestor job
 * fails"); cancelled(): the run was cancelled.
 */
export function jobStatusFunctions(direct: string[], ancestors: string[], results: Map<string, JobGroupResult>, runCancelled: () => boolean): StatusFunctions {
  const passed = (id: string): boolean => {
    const r = results.get(id);
    return r !== undefined && (r.result === "success" || (r.result === "failure" && !r.failsRun));
  };
  return {
    success: () => !runCancelled() && direct.every(passed),
    failure: () => ancestors.some((id) => results.get(id)?.result === "failure" && results.get(id)?.failsRun === true),
    cancelled: () => runCancelled(),
  };
}
