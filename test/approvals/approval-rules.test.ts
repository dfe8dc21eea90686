/** The protection rules, table-driven: who may review, when a request is approved or rejected, when its action may proceed. */

import { describe, expect, it } from "vitest";
import type { ApprovalRecord, ApprovalReviewRecord } from "../../src/store";
import {
  approvalExpiryMs, approvalProgress, assertMayReview, decide, parseWaitTimer, validateProtection, type Reviewer,
} from "../../src/server/services/approvals-rules";

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);

function approval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: 1, repo: "acme/deploy", environment: "prod", kind: "promotion", requester: "alice", state: "pending", requiredReviewers: 1, waitTimerSeconds: 0,
    payload: {}, reason: null, execution: null, result: null, reviews: [], createdAt: T0, updatedAt: T0, decidedAt: null, completedAt: null, ...overrides,
  };
}

const review = (reviewer: string, decision: "approved" | "rejected" = "approved", comment = ""): ApprovalReviewRecord => ({ reviewer, decision, comment, createdAt: T0 });
const bob: Reviewer = { name: "bob", isAdmin: false, role: "developer" };

describe("assertMayReview", () => {
  const cases: { name: string; approval: ApprovalRecord; reviewer: Reviewer; now?: number; error?: [string, RegExp] }[] = [
    { name: "a developer who did not request it", approval: approval(), reviewer: bob },
    { name: "a maintainer", approval: approval(), reviewer: { name: "m", isAdmin: false, role: "maintainer" } },
    { name: "a site admin with no role on the repo", approval: approval(), reviewer: { name: "root", isAdmin: true, role: undefined } },
    { name: "the requester", approval: approval(), reviewer: { name: "alice", isAdmin: false, role: "admin" }, error: ["FORBIDDEN", /alice requested approval request 1 and cannot review it/] },
    { name: "the requester, even a site admin", approval: approval(), reviewer: { name: "alice", isAdmin: true, role: undefined }, error: ["FORBIDDEN", /cannot review it/] },
    { name: "a viewer", approval: approval(), reviewer: { name: "v", isAdmin: false, role: "viewer" }, error: ["FORBIDDEN", /needs write access .* v is viewer/] },
    { name: "a non-member", approval: approval(), reviewer: { name: "x", isAdmin: false, role: undefined }, error: ["FORBIDDEN", /x is not a member/] },
    { name: "a second review by the same user", approval: approval({ reviews: [review("bob")] , requiredReviewers: 2 }), reviewer: bob, error: ["CONFLICT", /bob already reviewed/] },
    { name: "a decided request", approval: approval({ state: "rejected" }), reviewer: bob, error: ["CONFLICT", /is rejected: only a pending request/] },
    { name: "a cancelled request", approval: approval({ state: "cancelled" }), reviewer: bob, error: ["CONFLICT", /is cancelled/] },
    { name: "a pending request older than 30 days", approval: approval(), reviewer: bob, now: T0 + approvalExpiryMs, error: ["CONFLICT", /expired/] },
  ];
  for (const c of cases) {
    it(`${c.error ? "refuses" : "allows"} ${c.name}`, () => {
      const check = () => assertMayReview(c.approval, c.reviewer, c.now ?? T0 + 1000);
      if (!c.error) expect(check).not.toThrow();
      else expect(check).toThrow(expect.objectContaining({ code: c.error[0], message: expect.stringMatching(c.error[1]) }));
    });
  }
});

describe("decide", () => {
  const cases: { name: string; required: number; reviews: ApprovalReviewRecord[]; expected: ReturnType<typeof decide> }[] = [
    { name: "one of one approval approves", required: 1, reviews: [review("bob")], expected: { state: "approved" } },
    { name: "one of two stays pending", required: 2, reviews: [review("bob")], expected: undefined },
    { name: "two of two approves", required: 2, reviews: [review("bob"), review("carol")], expected: { state: "approved" } },
    { name: "a rejection ends it, whatever the approvals", required: 2, reviews: [review("bob"), review("carol", "rejected", "not today")], expected: { state: "rejected", reason: "rejected by carol: not today" } },
    { name: "a rejection without a comment", required: 1, reviews: [review("carol", "rejected")], expected: { state: "rejected", reason: "rejected by carol" } },
    { name: "the requester's own approval never counts", required: 1, reviews: [review("alice")], expected: undefined },
  ];
  for (const c of cases) it(c.name, () => expect(decide(approval({ requiredReviewers: c.required, reviews: c.reviews }))).toEqual(c.expected));
});

describe("approvalProgress", () => {
  const minute = 60_000;
  const cases: { name: string; approval: ApprovalRecord; now: number; ready: boolean; denied: boolean; waitingFor: string[] }[] = [
    { name: "pending, no timer", approval: approval(), now: T0, ready: false, denied: false, waitingFor: ["1 more approval"] },
    { name: "pending with a running timer", approval: approval({ requiredReviewers: 2, waitTimerSeconds: 300 }), now: T0 + minute, ready: false, denied: false, waitingFor: ["2 more approvals", `the wait timer (until ${new Date(T0 + 5 * minute).toISOString()})`] },
    { name: "approved before the timer ran out waits for it", approval: approval({ state: "approved", waitTimerSeconds: 300, reviews: [review("bob")] }), now: T0 + 4 * minute, ready: false, denied: false, waitingFor: [`the wait timer (until ${new Date(T0 + 5 * minute).toISOString()})`] },
    { name: "approved and the timer elapsed since the request", approval: approval({ state: "approved", waitTimerSeconds: 300, reviews: [review("bob")] }), now: T0 + 5 * minute, ready: true, denied: false, waitingFor: [] },
    { name: "the timer elapsed but approvals are missing", approval: approval({ waitTimerSeconds: 60 }), now: T0 + 2 * minute, ready: false, denied: false, waitingFor: ["1 more approval"] },
    { name: "rejected never proceeds", approval: approval({ state: "rejected" }), now: T0 + minute, ready: false, denied: true, waitingFor: [] },
    { name: "a pending request past 30 days is denied", approval: approval(), now: T0 + approvalExpiryMs, ready: false, denied: true, waitingFor: [] },
  ];
  for (const c of cases) {
    it(c.name, () => expect(approvalProgress(c.approval, c.now)).toMatchObject({ ready: c.ready, denied: c.denied, waitingFor: c.waitingFor }));
  }
});

describe("protection settings and durations", () => {
  it.each([
    [{ protected: true, requiredReviewers: 1, waitTimerSeconds: 0 }, undefined],
    [{ protected: true, requiredReviewers: 0, waitTimerSeconds: 60 }, undefined],
    [{ protected: false, requiredReviewers: 0, waitTimerSeconds: 0 }, undefined],
    [{ protected: true, requiredReviewers: 0, waitTimerSeconds: 0 }, /at least one required reviewer or a wait timer/],
    [{ protected: true, requiredReviewers: 7, waitTimerSeconds: 0 }, /requiredReviewers must be a whole number from 0 to 6, not 7/],
    [{ protected: true, requiredReviewers: -1, waitTimerSeconds: 0 }, /requiredReviewers/],
    [{ protected: true, requiredReviewers: 1, waitTimerSeconds: 31 * 86400 }, /waitTimerSeconds must be .* \(30 days\)/],
  ])("validateProtection(%j)", (input, error) => {
    if (!error) expect(validateProtection(input)).toEqual(input);
    else expect(() => validateProtection(input)).toThrow(expect.objectContaining({ code: "REQUEST_INVALID", message: expect.stringMatching(error) }));
  });

  it.each([["90", 90], ["90s", 90], ["5m", 300], ["2h", 7200], ["1d", 86400], [" 10m ", 600]])("parseWaitTimer(%j) = %i", (text, seconds) => expect(parseWaitTimer(text)).toBe(seconds));
  it.each(["", "5 minutes", "-1m", "1.5h", "m"])("parseWaitTimer(%j) is REQUEST_INVALID", (text) => expect(() => parseWaitTimer(text)).toThrow(expect.objectContaining({ code: "REQUEST_INVALID" })));
});
