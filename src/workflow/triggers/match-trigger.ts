/** Whether a workflow's `on:` triggers match an event, with a short human reason for `slipway run --dry-run`. */

import type { PullRequestTrigger, PushTrigger, Workflow } from "../model";
import { shortRefName, type TriggerEvent } from "../trigger-event";
import { sameCron } from "./cron";
import { matchPathFilters, matchPatternList } from "./filter-pattern";

export interface TriggerMatch {
  matched: boolean;
  reason: string;
}

export const defaultPullRequestTypes: readonly string[] = ["opened", "synchronize", "reopened"];

function list(patterns: readonly string[]): string {
  return `[${patterns.join(", ")}]`;
}

/** Why `name` fails branch/tag filters, e.g. `branch does not match [main]`, or undefined when it passes. */
function refFilterProblem(kind: string, name: string, include?: readonly string[], ignore?: readonly string[]): string | undefined {
  if (include && !matchPatternList(name, include)) return `${kind} does not match ${list(include)}`;
  if (ignore && matchPatternList(name, ignore)) return `${kind} is ignored by ${list(ignore)}`;
  return undefined;
}

function pathProblem(changedPaths: readonly string[] | undefined, paths?: string[], pathsIgnore?: string[]): string | undefined {
  if (matchPathFilters(changedPaths, paths, pathsIgnore)) return undefined;
  if (paths) return `no changed path matches ${list(paths)}`;
  return `every changed path is ignored by ${list(pathsIgnore ?? [])}`;
}

function matchPush(trigger: PushTrigger, event: TriggerEvent): TriggerMatch {
  const prefix = `push to ${event.ref}`;
  const hasBranchFilters = trigger.branches !== undefined || trigger.branchesIgnore !== undefined;
  const hasTagFilters = trigger.tags !== undefined || trigger.tagsIgnore !== undefined;
  const isTag = event.ref.startsWith("refs/tags/");
  const isBranch = event.ref.startsWith("refs/heads/");
  const name = shortRefName(event.ref);
  if (isTag) {
    // Only tag filters apply to tags; with only branch filters, tags never match. Path filters don't apply to tags.
    if (hasBranchFilters && !hasTagFilters) return { matched: false, reason: `${prefix}: the workflow filters branches only, not tags` };
    const tagProblem = refFilterProblem("tag", name, trigger.tags, trigger.tagsIgnore);
    if (tagProblem) return { matched: false, reason: `${prefix}: ${tagProblem}` };
    return { matched: true, reason: `${prefix}: tag matches` };
  }
  if (!isBranch) return { matched: false, reason: `${prefix}: not a branch or a tag` };
  if (hasTagFilters && !hasBranchFilters) return { matched: false, reason: `${prefix}: the workflow filters tags only, not branches` };
  const branchProblem = refFilterProblem("branch", name, trigger.branches, trigger.branchesIgnore);
  if (branchProblem) return { matched: false, reason: `${prefix}: ${branchProblem}` };
  const problem = pathProblem(event.changedPaths, trigger.paths, trigger.pathsIgnore);
  if (problem) return { matched: false, reason: `${prefix}: ${problem}` };
  return { matched: true, reason: `${prefix}: branch matches` };
}

function matchPullRequest(trigger: PullRequestTrigger, event: TriggerEvent): TriggerMatch {
  const base = event.baseRef ?? "";
  const prefix = `pull_request ${event.action ?? "(no action)"} into ${base || "(unknown base)"}`;
  const types = trigger.types ?? defaultPullRequestTypes;
  if (!event.action || !types.includes(event.action)) {
    return { matched: false, reason: `${prefix}: activity type is not one of ${list(types)}` };
  }
  const branchProblem = refFilterProblem("base branch", shortRefName(base), trigger.branches, trigger.branchesIgnore);
  if (branchProblem) return { matched: false, reason: `${prefix}: ${branchProblem}` };
  const problem = pathProblem(event.changedPaths, trigger.paths, trigger.pathsIgnore);
  if (problem) return { matched: false, reason: `${prefix}: ${problem}` };
  return { matched: true, reason: `${prefix}: matches` };
}

/** Decides whether `event` starts `workflow`, following GitHub's filter rules. */
export function matchTrigger(workflow: Workflow, event: TriggerEvent): TriggerMatch {
  const on = workflow.on;
  switch (event.name) {
    case "push":
      return on.push ? matchPush(on.push, event) : { matched: false, reason: "the workflow has no push trigger" };
    case "pull_request":
      return on.pullRequest
        ? matchPullRequest(on.pullRequest, event)
        : { matched: false, reason: "the workflow has no pull_request trigger" };
    case "workflow_dispatch":
      return on.workflowDispatch
        ? { matched: true, reason: `workflow_dispatch on ${event.ref}` }
        : { matched: false, reason: "the workflow has no workflow_dispatch trigger" };
    case "workflow_call":
      return on.workflowCall
        ? { matched: true, reason: "workflow_call" }
        : { matched: false, reason: "the workflow has no workflow_call trigger" };
    case "schedule": {
      const crons = (on.schedule ?? []).map((entry) => entry.cron);
      if (crons.length === 0) return { matched: false, reason: "the workflow has no schedule trigger" };
      const fired = event.schedule ?? "";
      if (!crons.some((cron) => sameCron(cron, fired))) {
        return { matched: false, reason: `schedule "${fired}" is not one of ${list(crons)}` };
      }
      return { matched: true, reason: `schedule "${fired}"` };
    }
  }
}
