/** What started a run: the event as the trigger matcher, the planner and the `github` context see it. */

import type { JsonObject } from "../core/json";

export type EventName = "push" | "pull_request" | "workflow_dispatch" | "schedule" | "workflow_call";

export const eventNames: readonly EventName[] = ["push", "pull_request", "workflow_dispatch", "schedule", "workflow_call"];

export interface TriggerEvent {
  name: EventName;
  /** Full ref the run checks out, e.g. `refs/heads/main`, `refs/tags/v1.0.0`, `refs/pull/3/merge`. */
  ref: string;
  /** The commit to run. */
  sha: string;
  /** push: the previous head (all zeros for a new ref). */
  before?: string;
  /** push / pull_request: repo-relative paths changed; undefined when unknown (path filters then match). */
  changedPaths?: string[];
  /** pull_request: activity type (opened, synchronize, reopened, closed, …). */
  action?: string;
  /** pull_request: base (target) and head (source) branch names. */
  baseRef?: string;
  headRef?: string;
  /** workflow_dispatch / workflow_call: raw input values as given (validated against the definitions). */
  inputs?: Record<string, string | number | boolean>;
  /** schedule: the cron expression that fired. */
  schedule?: string;
  /** Who caused the event. */
  actor: string;
  /** `owner/name`. */
  repository: string;
  /** The webhook-style payload exposed as `github.event`. */
  payload: JsonObject;
}

/** `refs/heads/main` → `main`, `refs/tags/v1` → `v1`. */
export function shortRefName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}
