/**
 * Branch protection as pure rules: which protection applies to a target branch, and every precise
 * reason a pull request cannot merge into it yet (checks, approvals, change requests, up to date).
 */

export interface BranchProtection {
  branch: string;
  /** Check names (job names) that must have succeeded on the head commit. */
  requiredChecks: string[];
  requiredApprovals: number;
  /** The target's head must be an ancestor of the pull request's head. */
  requireUpToDate: boolean;
  /** Every check reported on the head commit must be green (the default branch's default rule). */
  requireAllReportedChecks: boolean;
  /** Where this protection comes from: set through the API, the default for the default branch, or none. */
  source: "configured" | "default" | "none";
}

export interface CheckState {
  name: string;
  status: string;
  conclusion: string | null;
}

export interface ReviewState {
  reviewer: string;
  state: "approved" | "changes_requested" | "commented";
  dismissed: boolean;
  commitSha: string;
}

export interface MergeGateInput {
  protection: BranchProtection;
  author: string;
  headSha: string;
  targetBranch: string;
  checks: CheckState[];
  /** Workflow runs on the head commit that have not finished (their checks may not be reported yet). */
  unfinishedRuns: string[];
  /** Oldest first. */
  reviews: ReviewState[];
  /** Whether the target's head is an ancestor of the head commit. */
  upToDate: boolean;
}

/**
 * The protection of `branch`: the configured one, else for the repository's default branch
 * 1 approval and every reported check green (no named checks), else nothing required.
 */
export function effectiveProtection(
  configured: { requiredChecks: string[]; requiredApprovals: number; requireUpToDate: boolean } | undefined,
  branch: string,
  defaultBranch: string,
): BranchProtection {
  if (configured) return { branch, ...configured, requireAllReportedChecks: false, source: "configured" };
  if (branch === defaultBranch) return { branch, requiredChecks: [], requiredApprovals: 1, requireUpToDate: false, requireAllReportedChecks: true, source: "default" };
  return { branch, requiredChecks: [], requiredApprovals: 0, requireUpToDate: false, requireAllReportedChecks: false, source: "none" };
}

/** Green for a check: completed with success (or skipped, as GitHub counts a skipped required job). */
export function isGreen(check: CheckState): boolean {
  return check.status === "completed" && (check.conclusion === "success" || check.conclusion === "skipped");
}

function describeCheck(check: CheckState): string {
  return check.status === "completed" ? `${check.conclusion ?? "no conclusion"}` : check.status.replace("_", " ");
}

/** Each reviewer's standing: their latest approval or change request (comments change nothing). */
export function reviewerStandings(reviews: ReviewState[], author: string): Map<string, ReviewState> {
  const standing = new Map<string, ReviewState>();
  for (const review of reviews) {
    if (review.reviewer === author || review.state === "commented") continue;
    standing.set(review.reviewer, review);
  }
  return standing;
}

/** Every reason the merge is blocked, in a stable order; empty when it may merge. */
export function mergeBlockers(input: MergeGateInput): string[] {
  const { protection, headSha } = input;
  const short = headSha.slice(0, 7);
  const reasons: string[] = [];
  const byName = new Map(input.checks.map((c) => [c.name, c]));
  for (const name of protection.requiredChecks) {
    const check = byName.get(name);
    if (!check) reasons.push(`required check '${name}' has not reported on ${short}`);
    else if (!isGreen(check)) reasons.push(`required check '${name}' is ${describeCheck(check)} on ${short}`);
  }
  if (protection.requireAllReportedChecks) {
    for (const check of input.checks) {
      if (!isGreen(check) && !protection.requiredChecks.includes(check.name)) reasons.push(`check '${check.name}' is ${describeCheck(check)} on ${short}`);
    }
    const pendingChecks = input.checks.filter((c) => c.status !== "completed");
    // A run that has just started may not have reported its checks yet: it still blocks.
    if (pendingChecks.length === 0 && input.unfinishedRuns.length > 0) reasons.push(`workflow run ${input.unfinishedRuns.join(", ")} on ${short} has not finished`);
  }
  const standings = [...reviewerStandings(input.reviews, input.author).values()];
  const approvals = standings.filter((r) => r.state === "approved" && !r.dismissed);
  if (approvals.length < protection.requiredApprovals) {
    const dismissed = standings.filter((r) => r.state === "approved" && r.dismissed).length;
    const note = dismissed > 0 ? ` (${dismissed} dismissed: given before the latest push)` : "";
    const needed = protection.requiredApprovals;
    reasons.push(`needs ${needed} approving review${needed === 1 ? "" : "s"} by someone other than the author ${input.author}; has ${approvals.length}${note}`);
  }
  for (const request of standings.filter((r) => r.state === "changes_requested")) {
    reasons.push(`${request.reviewer} requested changes (on ${request.commitSha.slice(0, 7)}); an approval from ${request.reviewer} clears it`);
  }
  if (protection.requireUpToDate && !input.upToDate) reasons.push(`the branch is not up to date with ${input.targetBranch}: merge or rebase ${input.targetBranch} into it first`);
  return reasons;
}
