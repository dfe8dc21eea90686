/** The `github` and `runner` contexts and the default environment of every step, per GitHub's runner. */

import { arch } from "node:os";
import type { JsonObject } from "../../core/json";
import { shortRefName, type TriggerEvent } from "../trigger-event";

export interface RunIdentity {
  runId: number;
  runNumber: number;
  workflowName: string;
  workflowFile: string;
}

export function githubContext(event: TriggerEvent, run: RunIdentity, job: string, workspace: string): JsonObject {
  const isTag = event.ref.startsWith("refs/tags/");
  const [owner] = event.repository.split("/");
  return {
    event_name: event.name,
    event: eventPayload(event),
    sha: event.sha,
    ref: event.ref,
    // GitHub: `<pr_number>/merge` for pull requests.
    ref_name: event.name === "pull_request" ? event.ref.replace(/^refs\/pull\//, "") : shortRefName(event.ref),
    ref_type: isTag ? "tag" : "branch",
    ref_protected: false,
    head_ref: event.name === "pull_request" ? (event.headRef ?? "") : "",
    base_ref: event.name === "pull_request" ? (event.baseRef ?? "") : "",
    repository: event.repository,
    repository_owner: owner ?? "",
    actor: event.actor,
    triggering_actor: event.actor,
    run_id: String(run.runId),
    run_number: String(run.runNumber),
    run_attempt: "1",
    workflow: run.workflowName,
    workflow_ref: `${event.repository}/${run.workflowFile}@${event.ref}`,
    job,
    workspace,
    server_url: process.env.SLIPWAY_URL ?? "http://127.0.0.1:7700",
    api_url: `${process.env.SLIPWAY_URL ?? "http://127.0.0.1:7700"}/api/v1`,
    token: "",
    retention_days: "90",
    action: "",
  };
}

/** `github.event`: the payload; for workflow_dispatch its `inputs` are the resolved inputs as strings, as GitHub sends them. */
function eventPayload(event: TriggerEvent): JsonObject {
  if (event.name !== "workflow_dispatch" || event.inputs === undefined) return event.payload;
  const given = event.payload.inputs;
  const inputs: JsonObject = typeof given === "object" && given !== null && !Array.isArray(given) ? { ...given } : {};
  for (const [name, value] of Object.entries(event.inputs)) inputs[name] = String(value);
  return { ...event.payload, inputs };
}

export function runnerContext(tempDir: string, toolCache: string, debug: boolean): JsonObject {
  return {
    os: "Linux",
    arch: arch() === "arm64" ? "ARM64" : "X64",
    name: "slipway-host",
    environment: "self-hosted",
    temp: tempDir,
    tool_cache: toolCache,
    debug: debug ? "1" : "",
  };
}

/** The GITHUB_* / RUNNER_* variables every step sees, derived from the contexts. */
export function defaultStepEnvironment(github: JsonObject, runner: JsonObject): Record<string, string> {
  const text = (value: unknown): string => (typeof value === "string" ? value : value == null ? "" : String(value));
  return {
    CI: "true",
    GITHUB_ACTIONS: "true",
    SLIPWAY: "true",
    GITHUB_SHA: text(github.sha),
    GITHUB_REF: text(github.ref),
    GITHUB_REF_NAME: text(github.ref_name),
    GITHUB_REF_TYPE: text(github.ref_type),
    GITHUB_HEAD_REF: text(github.head_ref),
    GITHUB_BASE_REF: text(github.base_ref),
    GITHUB_EVENT_NAME: text(github.event_name),
    GITHUB_EVENT_PATH: text(github.event_path),
    GITHUB_REPOSITORY: text(github.repository),
    GITHUB_REPOSITORY_OWNER: text(github.repository_owner),
    GITHUB_ACTOR: text(github.actor),
    GITHUB_TRIGGERING_ACTOR: text(github.triggering_actor),
    GITHUB_RUN_ID: text(github.run_id),
    GITHUB_RUN_NUMBER: text(github.run_number),
    GITHUB_RUN_ATTEMPT: text(github.run_attempt),
    GITHUB_WORKFLOW: text(github.workflow),
    GITHUB_WORKFLOW_REF: text(github.workflow_ref),
    GITHUB_JOB: text(github.job),
    GITHUB_WORKSPACE: text(github.workspace),
    GITHUB_SERVER_URL: text(github.server_url),
    GITHUB_API_URL: text(github.api_url),
    RUNNER_OS: text(runner.os),
    RUNNER_ARCH: text(runner.arch),
    RUNNER_NAME: text(runner.name),
    RUNNER_ENVIRONMENT: text(runner.environment),
    RUNNER_TEMP: text(runner.temp),
    RUNNER_TOOL_CACHE: text(runner.tool_cache),
    ...(runner.debug ? { RUNNER_DEBUG: "1" } : {}),
  };
}
