/** Small builders for Workflow, JobDefinition and TriggerEvent values used by trigger and plan tests. */

import type { JobDefinition, Triggers, Workflow } from "../../../src/workflow/model";
import type { TriggerEvent } from "../../../src/workflow/trigger-event";

export function workflowWith(on: Partial<Triggers>, jobs: JobDefinition[] = []): Workflow {
  return {
    file: ".github/workflows/ci.yml",
    name: "ci",
    on: { other: [], ...on },
    env: {},
    defaults: {},
    jobs,
  };
}

export function job(id: string, overrides: Partial<JobDefinition> = {}): JobDefinition {
  return {
    id,
    loc: { file: ".github/workflows/ci.yml", line: 1, column: 1 },
    needs: [],
    if: "success()",
    outputs: {},
    env: {},
    defaults: {},
    continueOnError: false,
    timeoutMinutes: 360,
    steps: [],
    ...overrides,
  };
}

export function pushEvent(ref: string, changedPaths?: string[]): TriggerEvent {
  return { name: "push", ref, sha: "a".repeat(40), changedPaths, actor: "mona", repository: "acme/shop", payload: {} };
}

export function pullRequestEvent(action: string, baseRef: string, changedPaths?: string[]): TriggerEvent {
  return {
    name: "pull_request",
    ref: "refs/pull/3/merge",
    sha: "b".repeat(40),
    action,
    baseRef,
    headRef: "feature/x",
    changedPaths,
    actor: "mona",
    repository: "acme/shop",
    payload: {},
  };
}

export function otherEvent(name: "workflow_dispatch" | "schedule" | "workflow_call", extra: Partial<TriggerEvent> = {}): TriggerEvent {
  return { name, ref: "refs/heads/main", sha: "c".repeat(40), actor: "mona", repository: "acme/shop", payload: {}, ...extra };
}
