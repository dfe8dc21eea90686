/** The approval store on every dialect (SQLite file, real Postgres): environments, requests, reviews, state and execution compare-and-swap. */

import { describe, expect, it } from "vitest";
import type { ApprovalRecord, NewApproval, StoreDialect } from "../../src/store/index";
import { uniqueRepo, useStoreUnderTest } from "../store/store-fixtures";

const dialects: StoreDialect[] = ["sqlite", "postgres"];

function newApproval(repo: string, overrides: Partial<NewApproval> = {}): NewApproval {
  return {
    repo, environment: "prod", kind: "promotion", requester: "alice", requiredReviewers: 2, waitTimerSeconds: 0,
    payload: { service: "web", version: "1.2.0", image: "127.0.0.1:7700/acme/shop/web" }, ...overrides,
  };
}

/** Approved once every required reviewer approved; rejected at the first rejection. */
const countApprovals = (approval: ApprovalRecord) => {
  if (approval.reviews.some((r) => r.decision === "rejected")) return { state: "rejected" as const, reason: "no" };
  return approval.reviews.filter((r) => r.decision === "approved").length >= approval.requiredReviewers ? { state: "approved" as const } : undefined;
};

describe.each(dialects)("approval store on %s", (dialect) => {
  const ctx = useStoreUnderTest(dialect);

  it("creates, replaces and lists environment protection per repository", async () => {
    const repo = uniqueRepo("env");
    expect(await ctx.store.approvals.getEnvironment(repo, "prod")).toBeUndefined();
    const created = await ctx.store.approvals.putEnvironment(repo, "prod", { protected: true, requiredReviewers: 2, waitTimerSeconds: 300 }, "admin");
    expect(created).toEqual({ repo, name: "prod", protected: true, requiredReviewers: 2, waitTimerSeconds: 300, updatedBy: "admin", updatedAt: ctx.clock.now() });
    await ctx.store.approvals.putEnvironment(repo, "prod", { protected: false, requiredReviewers: 0, waitTimerSeconds: 0 }, "bob");
    await ctx.store.approvals.putEnvironment(repo, "dev", { protected: false, requiredReviewers: 0, waitTimerSeconds: 0 }, "bob");
    await ctx.store.approvals.putEnvironment(uniqueRepo("env-other"), "prod", { protected: true, requiredReviewers: 1, waitTimerSeconds: 0 }, "bob");
    const listed = await ctx.store.approvals.listEnvironments(repo);
    expect(listed.map((e) => [e.name, e.protected, e.updatedBy])).toEqual([["dev", false, "bob"], ["prod", false, "bob"]]);
  });

  it("stores a request with its payload and lists newest first by repo, environment, kind and state", async () => {
    const repo = uniqueRepo("approval");
    const first = await ctx.store.approvals.create(newApproval(repo));
    expect(first).toMatchObject({ ...newApproval(repo), state: "pending", reviews: [], execution: null, result: null, reason: null, decidedAt: null, createdAt: ctx.clock.now() });
    const job = await ctx.store.approvals.create(newApproval(repo, { kind: "job", environment: "production", payload: { runId: 7, job: "deploy" } }));
    expect(await ctx.store.approvals.get(job.id)).toEqual(job);
    expect((await ctx.store.approvals.list({ repo })).map((a) => a.id)).toEqual([job.id, first.id]);
    expect((await ctx.store.approvals.list({ repo, environment: "prod" })).map((a) => a.id)).toEqual([first.id]);
    expect((await ctx.store.approvals.list({ repo, kind: "job" })).map((a) => a.id)).toEqual([job.id]);
    expect(await ctx.store.approvals.list({ repo, states: ["approved"] })).toEqual([]);
    expect(await ctx.store.approvals.list({ repo, states: [] })).toEqual([]);
    expect((await ctx.store.approvals.list({ repo, beforeId: job.id })).map((a) => a.id)).toEqual([first.id]);
    expect(await ctx.store.approvals.get(987654321)).toBeUndefined();
  });

  it("counts reviews, refuses a second review by the same reviewer and any review once decided", async () => {
    const repo = uniqueRepo("review");
    const approval = await ctx.store.approvals.create(newApproval(repo));
    const one = await ctx.store.approvals.review(approval.id, { reviewer: "bob", decision: "approved", comment: "lgtm" }, countApprovals);
    expect(one).toMatchObject({ state: "pending", reviews: [{ reviewer: "bob", decision: "approved", comment: "lgtm" }] });
    await expect(ctx.store.approvals.review(approval.id, { reviewer: "bob", decision: "approved", comment: "" }, countApprovals)).rejects.toMatchObject({ code: "CONFLICT" });
    const two = await ctx.store.approvals.review(approval.id, { reviewer: "carol", decision: "approved", comment: "" }, countApprovals);
    expect(two).toMatchObject({ state: "approved", decidedAt: ctx.clock.now() });
    await expect(ctx.store.approvals.review(approval.id, { reviewer: "dave", decision: "rejected", comment: "" }, countApprovals)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await ctx.store.approvals.get(approval.id))?.reviews.map((r) => r.reviewer)).toEqual(["bob", "carol"]);
    await expect(ctx.store.approvals.review(987654321, { reviewer: "bob", decision: "approved", comment: "" }, countApprovals)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("counts two reviewers who approve at the same moment", async () => {
    const repo = uniqueRepo("review-race");
    const approval = await ctx.store.approvals.create(newApproval(repo));
    await Promise.all(["bob", "carol"].map((reviewer) => ctx.store.approvals.review(approval.id, { reviewer, decision: "approved", comment: "" }, countApprovals)));
    expect((await ctx.store.approvals.get(approval.id))?.state).toBe("approved");
  });

  it("moves state only from the expected states, and hands the execution to exactly one caller", async () => {
    const repo = uniqueRepo("cas");
    const approval = await ctx.store.approvals.create(newApproval(repo, { requiredReviewers: 1 }));
    expect(await ctx.store.approvals.claimExecution(approval.id)).toBe(false);
    expect(await ctx.store.approvals.transition(approval.id, ["approved"], { state: "cancelled" })).toBe(false);
    await ctx.store.approvals.review(approval.id, { reviewer: "bob", decision: "approved", comment: "" }, countApprovals);
    const claims = await Promise.all(Array.from({ length: 5 }, () => ctx.store.approvals.claimExecution(approval.id)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ctx.store.approvals.claimExecution(approval.id, ["running"])).toBe(true);
    const done = await ctx.store.approvals.finishExecution(approval.id, "succeeded", { commit: "abc" });
    expect(done).toMatchObject({ execution: "succeeded", result: { commit: "abc" }, completedAt: ctx.clock.now() });
    expect(await ctx.store.approvals.claimExecution(approval.id, [null, "running"])).toBe(false);

    const other = await ctx.store.approvals.create(newApproval(repo));
    expect(await ctx.store.approvals.transition(other.id, ["pending"], { state: "cancelled", reason: "the run was cancelled" })).toBe(true);
    expect(await ctx.store.approvals.get(other.id)).toMatchObject({ state: "cancelled", reason: "the run was cancelled" });
    expect(await ctx.store.approvals.transition(other.id, ["pending"], { state: "expired" })).toBe(false);
  });
});
