/** Pull requests on the server: open, list, show with checks, reviews and mergeability, close, reopen, review. */

import { SlipwayError } from "../../core/errors";
import { effectiveProtection, mergeBlockers, type BranchProtection } from "../../git/branch-protection";
import { branchHead, isAncestor, mergeTrees, updatePullRef } from "../../git/merge";
import type { CheckRecord, PullRequestRecord, RepoRecord, ReviewRecord, ReviewState, UserRecord } from "../../store";
import type { ServerContext } from "../server-context";
import { dispatchPullRequestEvent } from "./pull-request-events";

export interface PullRequestDetails extends PullRequestRecord {
  /** The target branch's head now (null when the branch is gone). */
  targetSha: string | null;
  checks: CheckRecord[];
  reviews: ReviewRecord[];
  protection: BranchProtection;
  /** The target's head is an ancestor of the pull request's head (a fast-forward is possible). */
  upToDate: boolean;
  /** Files that conflict when merging into the target (merge and squash). */
  conflicts: string[];
  mergeable: boolean;
  /** Every precise reason the pull request cannot merge now; empty when it can. */
  mergeBlockers: string[];
}

export interface NewPullRequestInput {
  source: string;
  target: string;
  title: string;
  body: string;
}

export async function findPullRequestOrThrow(context: ServerContext, repo: RepoRecord, number: number): Promise<PullRequestRecord> {
  const pr = await context.store.pullRequests.getPullRequest(repo.id, number);
  if (!pr) throw new SlipwayError("NOT_FOUND", `${repo.fullName} has no pull request #${number}.`);
  return pr;
}

export async function openPullRequest(context: ServerContext, repo: RepoRecord, author: UserRecord, input: NewPullRequestInput): Promise<PullRequestRecord> {
  const title = input.title.trim();
  if (!title) throw new SlipwayError("REQUEST_INVALID", "A pull request needs a title.");
  if (input.source === input.target) throw new SlipwayError("REQUEST_INVALID", `The source and target branch are both '${input.source}': pick two different branches.`);
  const repoPath = context.repoPath(repo);
  const headSha = await branchHead(repoPath, input.source);
  if (!headSha) throw new SlipwayError("NOT_FOUND", `The source branch '${input.source}' does not exist in ${repo.fullName}: push it first.`);
  const targetSha = await branchHead(repoPath, input.target);
  if (!targetSha) throw new SlipwayError("NOT_FOUND", `The target branch '${input.target}' does not exist in ${repo.fullName}.`);
  if (await isAncestor(repoPath, headSha, targetSha)) {
    throw new SlipwayError("CONFLICT", `${input.source} has no commits that ${input.target} does not already have: nothing to merge.`);
  }
  const pr = await context.store.pullRequests.createPullRequest({
    repoId: repo.id,
    title,
    body: input.body,
    sourceBranch: input.source,
    targetBranch: input.target,
    headSha,
    authorId: author.id,
  });
  await updatePullRef(repoPath, pr.number, headSha);
  await dispatchPullRequestEvent(context, repo, pr, "opened", author.name);
  return pr;
}

export async function describePullRequest(context: ServerContext, repo: RepoRecord, pr: PullRequestRecord): Promise<PullRequestDetails> {
  const { store } = context;
  const repoPath = context.repoPath(repo);
  const protection = effectiveProtection(await store.pullRequests.getProtection(repo.id, pr.targetBranch), pr.targetBranch, repo.defaultBranch);
  const [checks, reviews, targetSha] = await Promise.all([store.checks.listChecks(repo.id, pr.headSha), store.pullRequests.listReviews(pr.id), branchHead(repoPath, pr.targetBranch)]);
  const base = { ...pr, targetSha: targetSha ?? null, checks, reviews, protection };
  if (pr.state !== "open") return { ...base, upToDate: true, conflicts: [], mergeable: false, mergeBlockers: [`the pull request is ${pr.state}`] };
  if (!targetSha) return { ...base, upToDate: false, conflicts: [], mergeable: false, mergeBlockers: [`the target branch '${pr.targetBranch}' does not exist`] };

  const upToDate = await isAncestor(repoPath, targetSha, pr.headSha);
  const { conflicts } = upToDate ? { conflicts: [] } : await mergeTrees(repoPath, targetSha, pr.headSha);
  const unfinished = await store.runs.listRuns({ repo: repo.fullName, status: ["queued", "waiting", "in_progress"], limit: 500 });
  const blockers = mergeBlockers({
    protection,
    author: pr.author,
    headSha: pr.headSha,
    targetBranch: pr.targetBranch,
    checks,
    unfinishedRuns: unfinished.filter((run) => run.sha === pr.headSha).map((run) => `${run.workflowName} #${run.runNumber}`),
    reviews: reviews.map((r) => ({ reviewer: r.reviewer, state: r.state, dismissed: r.dismissed, commitSha: r.commitSha })),
    upToDate,
  });
  if (conflicts.length > 0) blockers.push(`merge conflict with ${pr.targetBranch} in ${conflicts.join(", ")}`);
  return { ...base, upToDate, conflicts, mergeable: blockers.length === 0, mergeBlockers: blockers };
}

export async function closePullRequest(context: ServerContext, repo: RepoRecord, pr: PullRequestRecord, actor: UserRecord): Promise<PullRequestRecord> {
  if (pr.state !== "open") throw new SlipwayError("CONFLICT", `Pull request #${pr.number} is already ${pr.state}.`);
  if (!(await context.store.pullRequests.transition(pr.id, "open", "closed"))) throw new SlipwayError("CONFLICT", `Pull request #${pr.number} changed state meanwhile; reload it.`);
  const closed = await findPullRequestOrThrow(context, repo, pr.number);
  await dispatchPullRequestEvent(context, repo, closed, "closed", actor.name);
  return closed;
}

export async function reopenPullRequest(context: ServerContext, repo: RepoRecord, pr: PullRequestRecord, actor: UserRecord): Promise<PullRequestRecord> {
  if (pr.state === "merged") throw new SlipwayError("CONFLICT", `Pull request #${pr.number} is merged and cannot be reopened.`);
  if (pr.state === "open") throw new SlipwayError("CONFLICT", `Pull request #${pr.number} is already open.`);
  const repoPath = context.repoPath(repo);
  const headSha = await branchHead(repoPath, pr.sourceBranch);
  if (!headSha) throw new SlipwayError("CONFLICT", `The source branch '${pr.sourceBranch}' no longer exists: push it again to reopen.`);
  const other = await context.store.pullRequests.findOpenFor(repo.id, pr.sourceBranch, pr.targetBranch);
  if (other) throw new SlipwayError("CONFLICT", `Pull request #${other.number} from ${pr.sourceBranch} into ${pr.targetBranch} is already open.`);
  if (!(await context.store.pullRequests.transition(pr.id, "closed", "open"))) throw new SlipwayError("CONFLICT", `Pull request #${pr.number} changed state meanwhile; reload it.`);
  if (headSha !== pr.headSha) {
    await context.store.pullRequests.updateHead(pr.id, headSha);
    await context.store.pullRequests.dismissStaleApprovals(pr.id, headSha);
  }
  await updatePullRef(repoPath, pr.number, headSha);
  const reopened = await findPullRequestOrThrow(context, repo, pr.number);
  await dispatchPullRequestEvent(context, repo, reopened, "reopened", actor.name);
  return reopened;
}

/** Approvals and change requests come from others on an open pull request; anyone who may review can comment. */
export async function reviewPullRequest(
  context: ServerContext,
  pr: PullRequestRecord,
  reviewer: UserRecord,
  review: { state: ReviewState; body: string },
): Promise<ReviewRecord> {
  if (review.state !== "commented") {
    const verb = review.state === "approved" ? "approve" : "request changes on";
    if (reviewer.id === pr.authorId) throw new SlipwayError("FORBIDDEN", `You cannot ${verb} your own pull request (#${pr.number}): another reviewer must.`);
    if (pr.state !== "open") throw new SlipwayError("CONFLICT", `Pull request #${pr.number} is ${pr.state}: only open pull requests can be approved or have changes requested.`);
  }
  if (review.state === "changes_requested" && !review.body.trim()) throw new SlipwayError("REQUEST_INVALID", "Say which changes: a change request needs a body.");
  return context.store.pullRequests.addReview({ pullRequestId: pr.id, userId: reviewer.id, state: review.state, body: review.body, commitSha: pr.headSha });
}
