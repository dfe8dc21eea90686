/** Branch protection rules, table-driven: which protection applies and every reason a merge is blocked. */

import { describe, expect, it } from "vitest";
import { effectiveProtection, mergeBlockers, type MergeGateInput, type ReviewState } from "../../src/git/branch-protection";

const head = "abcdef1234567890abcdef1234567890abcdef12";
const green = (name: string) => ({ name, status: "completed", conclusion: "success" });
const approve = (reviewer: string, dismissed = false): ReviewState => ({ reviewer, state: "approved", dismissed, commitSha: head });
const requestChanges = (reviewer: string): ReviewState => ({ reviewer, state: "changes_requested", dismissed: false, commitSha: head });
const comment = (reviewer: string): ReviewState => ({ reviewer, state: "commented", dismissed: false, commitSha: head });

function gate(overrides: Partial<MergeGateInput>): MergeGateInput {
  return {
    protection: effectiveProtection(undefined, "main", "main"),
    author: "dev",
    headSha: head,
    targetBranch: "main",
    checks: [green("test")],
    unfinishedRuns: [],
    reviews: [approve("rev")],
    upToDate: true,
    ...overrides,
  };
}

const configured = (rules: Partial<{ requiredChecks: string[]; requiredApprovals: number; requireUpToDate: boolean }>) =>
  effectiveProtection({ requiredChecks: [], requiredApprovals: 1, requireUpToDate: false, ...rules }, "main", "main");

describe("effectiveProtection", () => {
  it("defaults the default branch to one approval and every reported check green, other branches to nothing", () => {
    expect(effectiveProtection(undefined, "main", "main")).toMatchObject({ requiredApprovals: 1, requiredChecks: [], requireAllReportedChecks: true, source: "default" });
    expect(effectiveProtection(undefined, "release", "main")).toMatchObject({ requiredApprovals: 0, requireAllReportedChecks: false, source: "none" });
    expect(configured({ requiredChecks: ["lint"] })).toMatchObject({ requiredChecks: ["lint"], requireAllReportedChecks: false, source: "configured" });
  });
});

describe("mergeBlockers", () => {
  const cases: [string, Partial<MergeGateInput>, string[]][] = [
    ["green and approved", {}, []],
    ["no approval", { reviews: [] }, ["needs 1 approving review by someone other than the author dev; has 0"]],
    ["the author's own approval does not count", { reviews: [approve("dev")] }, ["needs 1 approving review by someone other than the author dev; has 0"]],
    ["a dismissed approval", { reviews: [approve("rev", true)] }, ["needs 1 approving review by someone other than the author dev; has 0 (1 dismissed: given before the latest push)"]],
    ["a failing reported check (default protection)", { checks: [green("test"), { name: "lint", status: "completed", conclusion: "failure" }] }, ["check 'lint' is failure on abcdef1"]],
    ["a pending check", { checks: [{ name: "test", status: "in_progress", conclusion: null }] }, ["check 'test' is in progress on abcdef1"]],
    ["a run that has not reported yet", { checks: [], unfinishedRuns: ["CI #3"] }, ["workflow run CI #3 on abcdef1 has not finished"]],
    ["a change request", { reviews: [approve("rev2"), requestChanges("rev")] }, ["rev requested changes (on abcdef1); an approval from rev clears it"]],
    ["a later approval clears the same reviewer's change request", { reviews: [requestChanges("rev"), approve("rev")] }, []],
    ["a comment does not clear a change request", { reviews: [approve("rev2"), requestChanges("rev"), comment("rev")] }, ["rev requested changes (on abcdef1); an approval from rev clears it"]],
    ["a missing required check", { protection: configured({ requiredChecks: ["lint"] }) }, ["required check 'lint' has not reported on abcdef1"]],
    ["a failing required check", { protection: configured({ requiredChecks: ["lint"] }), checks: [{ name: "lint", status: "completed", conclusion: "failure" }] }, ["required check 'lint' is failure on abcdef1"]],
    ["configured protection ignores checks it does not name", { protection: configured({ requiredChecks: ["test"] }), checks: [green("test"), { name: "docs", status: "completed", conclusion: "failure" }] }, []],
    ["two approvals required", { protection: configured({ requiredApprovals: 2 }) }, ["needs 2 approving reviews by someone other than the author dev; has 1"]],
    ["behind the target when up to date is required", { protection: configured({ requireUpToDate: true }), upToDate: false }, ["the branch is not up to date with main: merge or rebase main into it first"]],
    ["behind the target when it is not required", { upToDate: false }, []],
  ];
  it.each(cases)("%s", (_name, overrides, expected) => {
    expect(mergeBlockers(gate(overrides))).toEqual(expected);
  });
});
