/**
 * Merging a pull request: refused with every precise reason unless the target's protection holds, then
 * a merge commit, squash or fast-forward made with plumbing, published by compare-and-swap, recorded
 * as a push of the target (so its push workflows run) and followed by `pull_request` closed.
 */

import { SlipwayError } from "../../core/errors";
import { applyMerge, branchHead, commitAuthor, planMerge, type GitIdentity, type MergeMethod } from "../../git/merge";
import type { PullRequestRecord, PushRecord, RepoRecord, UserRecord } from "../../store";
import type { ServerContext } from "../server-context";
import { dispatchPullRequestEvent } from "./pull-request-events";
import { describePullRequest, findPullRequestOrThrow } from "./pull-requests";

export interface MergeResult {
  merged: true;
  method: MergeMethod;
  /** The target's new head. */
  sha: string;
  pullRequest: PullRequestRecord;
  push: PushRecord;
}

/** One merge at a time per repository in this process; pushes from outside are handled by the compare-and-swap. */
const mergeQueues = new WeakMap<ServerContext, Map<number, Promise<unknown>>>();

function oneAtATime<T>(context: ServerContext, repoId: number, work: () => Promise<T>): Promise<T> {
  const queues = mergeQueues.get(context) ?? new Map<number, Promise<unknown>>();
  mergeQueues.set(context, queues);
  const previous = queues.get(repoId) ?? Promise.resolve();
  const next = previous.then(work, work);
  const tail = next.catch(() => undefined);
  queues.set(repoId, tail);
  void tail.then(() => {
    if (queues.get(repoId) === tail) queues.delete(repoId);
  });
  return next;
}

export function mergeMessage(pr: PullRequestRecord, method: MergeMethod): string {
  if (method === "squash") return `${pr.title} (#${pr.number})${pr.body.trim() ? `\n\n${pr.body.trim()}` : ""}\n`;
  return `Merge pull request #${pr.number} from ${pr.sourceBranch}\n\n${pr.title}\n`;
}

function identityOf(user: UserRecord): GitIdentity {
  return { name: user.name, email: `${user.name}@users.slipway.local` };
}

export function mergePullRequest(context: ServerContext, repo: RepoRecord, number: number, merger: UserRecord, method: MergeMethod): Promise<MergeResult> {
  return oneAtATime(context, repo.id, async () => {
    const repoPath = context.repoPath(repo);
    const pr = await findPullRequestOrThrow(context, repo, number);
    if (pr.state !== "open") throw new SlipwayError("CONFLICT", `Pull request #${pr.number} is ${pr.state}: only an open pull request can be merged.`);
    const sourceSha = await branchHead(repoPath, pr.sourceBranch);
    if (sourceSha !== undefined && sourceSha !== pr.headSha) {
      throw new SlipwayError("CONFLICT", `${pr.sourceBranch} moved to ${sourceSha.slice(0, 7)} and pull request #${pr.number} has not caught up yet; try again in a moment.`);
    }
    const details = await describePullRequest(context, repo, pr);
    // Conflicts are reported by the merge itself, with the files; everything else blocks here.
    const blockers = details.mergeBlockers.filter((reason) => !reason.startsWith("merge conflict"));
    if (blockers.length > 0) {
      throw new SlipwayError("CONFLICT", `Pull request #${pr.number} cannot be merged into ${pr.targetBranch}: ${blockers.join("; ")}.`, { details: { reasons: blockers } });
    }
    const author = method === "squash" ? await commitAuthor(repoPath, pr.headSha) : identityOf(merger);
    const plan = await planMerge(repoPath, { targetBranch: pr.targetBranch, headSha: pr.headSha, method, message: mergeMessage(pr, method), author, committer: identityOf(merger) });
    await applyMerge(repoPath, plan, `slipway: ${method} pull request #${pr.number} by ${merger.name}`);

    const recorded = await context.store.pullRequests.transition(pr.id, "open", "merged", { method, sha: plan.newSha });
    if (!recorded) context.log(`pull request #${pr.number} of ${repo.fullName} changed state while it was merged as ${plan.newSha}`);
    const push = await context.pushes.recordAndProcess(repo, { ref: plan.ref, before: plan.oldSha, after: plan.newSha }, merger.name);
    const merged = await findPullRequestOrThrow(context, repo, pr.number);
    await dispatchPullRequestEvent(context, repo, merged, "closed", merger.name, plan.oldSha);
    return { merged: true, method, sha: plan.newSha, pullRequest: merged, push };
  });
}
