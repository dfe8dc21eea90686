/**
 * `pull_request` events for workflows, shaped like GitHub's, and what a push to a pull request's source
 * branch does: move its head, dismiss approvals of older commits, dispatch `synchronize`.
 *
 * Runs of a pull request build its head commit as it is (ref `refs/pull/N/head`, sha = the head), not a
 * speculative merge with the target: checks then land on the head SHA that branch protection gates on.
 */

import { describeError } from "../../core/errors";
import { branchHead, pullRequestChangedPaths, updatePullRef } from "../../git/merge";
import type { PullRequestRecord, PushRecord, RepoRecord, RunRecord } from "../../store";
import type { TriggerEvent } from "../../workflow/trigger-event";
import type { ServerContext } from "../server-context";
import { repositoryPayload } from "./repository-payload";

export type PullRequestAction = "opened" | "synchronize" | "reopened" | "closed";

export async function pullRequestEvent(
  context: ServerContext,
  repo: RepoRecord,
  pr: PullRequestRecord,
  action: PullRequestAction,
  actor: string,
  /** The target's head to compare with; default its current head (a merge passes the head before it moved). */
  baseSha?: string,
): Promise<TriggerEvent> {
  const repoPath = context.repoPath(repo);
  const base = baseSha ?? (await branchHead(repoPath, pr.targetBranch)) ?? "";
  const changedPaths = base ? await pullRequestChangedPaths(repoPath, base, pr.headSha) : undefined;
  const repository = repositoryPayload(repo);
  const ref = `refs/pull/${pr.number}/head`;
  return {
    name: "pull_request",
    ref,
    sha: pr.headSha,
    action,
    baseRef: pr.targetBranch,
    headRef: pr.sourceBranch,
    changedPaths,
    actor,
    repository: repo.fullName,
    payload: {
      action,
      number: pr.number,
      repository,
      sender: { login: actor },
      pull_request: {
        number: pr.number,
        title: pr.title,
        body: pr.body,
        state: pr.state === "open" ? "open" : "closed",
        merged: pr.state === "merged",
        merge_commit_sha: pr.mergedSha,
        head: { ref: pr.sourceBranch, sha: pr.headSha },
        base: { ref: pr.targetBranch, sha: base },
        user: { login: pr.author },
      },
    },
  };
}

/** Starts the workflows a pull request event triggers; a failure to start is logged, never thrown at the caller. */
export async function dispatchPullRequestEvent(
  context: ServerContext,
  repo: RepoRecord,
  pr: PullRequestRecord,
  action: PullRequestAction,
  actor: string,
  baseSha?: string,
): Promise<RunRecord[]> {
  try {
    const event = await pullRequestEvent(context, repo, pr, action, actor, baseSha);
    return await context.dispatcher.dispatch(repo, event);
  } catch (error) {
    context.log(`pull request #${pr.number} of ${repo.fullName} (${action}): ${describeError(error)}`);
    return [];
  }
}

/** PushReceiver's `onBranchPush`: every open pull request from the pushed branch follows its new head. */
export async function syncPullRequestsWithPush(context: ServerContext, repo: RepoRecord, push: PushRecord): Promise<void> {
  const branch = push.ref.replace(/^refs\/heads\//, "");
  const open = await context.store.pullRequests.listPullRequests(repo.id, { state: "open", sourceBranch: branch });
  for (const pr of open) {
    if (pr.headSha === push.after) continue;
    await context.store.pullRequests.updateHead(pr.id, push.after);
    await updatePullRef(context.repoPath(repo), pr.number, push.after);
    const dismissed = await context.store.pullRequests.dismissStaleApprovals(pr.id, push.after);
    if (dismissed > 0) context.log(`pull request #${pr.number} of ${repo.fullName}: ${dismissed} approval(s) dismissed by a push to ${branch}`);
    await dispatchPullRequestEvent(context, repo, { ...pr, headSha: push.after }, "synchronize", push.pusher);
  }
}
