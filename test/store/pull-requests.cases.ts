/** Store suite cases for pull requests, reviews and branch protection. */

import { expect, it } from "vitest";
import type { StoreTestContext } from "./store-fixtures";

const sha = (digit: string) => digit.repeat(40);

async function repoWithUsers(ctx: StoreTestContext, label: string) {
  const suffix = `${label}-${Math.random().toString(36).slice(2, 8)}`;
  const author = await ctx.store.accounts.createUser(`a-${suffix}`);
  const reviewer = await ctx.store.accounts.createUser(`r-${suffix}`);
  const repo = await ctx.store.repos.createRepo({ owner: author.name, name: "shop", createdBy: author.id });
  return { author, reviewer, repo };
}

export function describePullRequestCases(ctx: StoreTestContext): void {
  it("numbers pull requests per repository, even when created concurrently, and refuses a second open one for a pair", async () => {
    const { author, repo } = await repoWithUsers(ctx, "numbers");
    const create = (source: string) => ctx.store.pullRequests.createPullRequest({ repoId: repo.id, title: `feat: ${source}`, body: "", sourceBranch: source, targetBranch: "main", headSha: sha("a"), authorId: author.id });
    const created = await Promise.all(["feature/a", "feature/b", "feature/c", "feature/d"].map(create));
    expect(created.map((pr) => pr.number).sort()).toEqual([1, 2, 3, 4]);
    expect(created[0]).toMatchObject({ author: author.name, state: "open", targetBranch: "main", mergedSha: null });
    await expect(create("feature/a")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("is already open") });
    const results = await Promise.allSettled([create("feature/e"), create("feature/e")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);

    // Concurrent creates number the pull requests in whatever order they commit: find feature/a's by branch.
    const first = created.find((pr) => pr.sourceBranch === "feature/a")!;
    expect(await ctx.store.pullRequests.transition(first.id, "open", "merged", { method: "squash", sha: sha("b") })).toBe(true);
    expect(await ctx.store.pullRequests.transition(first.id, "open", "closed")).toBe(false);
    expect(await ctx.store.pullRequests.getPullRequest(repo.id, first.number)).toMatchObject({ state: "merged", mergeMethod: "squash", mergedSha: sha("b") });
    const stillOpen = [1, 2, 3, 4, 5].filter((n) => n !== first.number).reverse();
    expect((await ctx.store.pullRequests.listPullRequests(repo.id, { state: "open" })).map((pr) => pr.number)).toEqual(stillOpen);
    expect(await ctx.store.pullRequests.listPullRequests(repo.id, { state: "all", sourceBranch: "feature/a" })).toHaveLength(1);
    expect((await create("feature/a")).number).toBe(6);
  });

  it("keeps reviews with their reviewer and dismisses only approvals of older commits", async () => {
    const { author, reviewer, repo } = await repoWithUsers(ctx, "reviews");
    const pr = await ctx.store.pullRequests.createPullRequest({ repoId: repo.id, title: "t", body: "b", sourceBranch: "f", targetBranch: "main", headSha: sha("1"), authorId: author.id });
    await ctx.store.pullRequests.addReview({ pullRequestId: pr.id, userId: reviewer.id, state: "changes_requested", body: "no", commitSha: sha("1") });
    await ctx.store.pullRequests.addReview({ pullRequestId: pr.id, userId: reviewer.id, state: "approved", body: "", commitSha: sha("1") });
    await ctx.store.pullRequests.updateHead(pr.id, sha("2"));
    await ctx.store.pullRequests.addReview({ pullRequestId: pr.id, userId: author.id, state: "approved", body: "", commitSha: sha("2") });
    expect(await ctx.store.pullRequests.dismissStaleApprovals(pr.id, sha("2"))).toBe(1);
    const reviews = await ctx.store.pullRequests.listReviews(pr.id);
    expect(reviews.map((r) => [r.reviewer, r.state, r.dismissed])).toEqual([
      [reviewer.name, "changes_requested", false],
      [reviewer.name, "approved", true],
      [author.name, "approved", false],
    ]);
    expect((await ctx.store.pullRequests.getPullRequest(repo.id, pr.number))?.headSha).toBe(sha("2"));
  });

  it("stores, replaces and deletes branch protection", async () => {
    const { repo } = await repoWithUsers(ctx, "protection");
    expect(await ctx.store.pullRequests.getProtection(repo.id, "main")).toBeUndefined();
    await ctx.store.pullRequests.setProtection({ repoId: repo.id, branch: "main", requiredChecks: ["lint"], requiredApprovals: 2, requireUpToDate: true });
    await ctx.store.pullRequests.setProtection({ repoId: repo.id, branch: "main", requiredChecks: ["lint", "test"], requiredApprovals: 1, requireUpToDate: false });
    expect(await ctx.store.pullRequests.getProtection(repo.id, "main")).toEqual({ repoId: repo.id, branch: "main", requiredChecks: ["lint", "test"], requiredApprovals: 1, requireUpToDate: false });
    expect(await ctx.store.pullRequests.deleteProtection(repo.id, "main")).toBe(true);
    expect(await ctx.store.pullRequests.deleteProtection(repo.id, "main")).toBe(false);
  });
}
