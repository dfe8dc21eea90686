/** Environment protection rules as pure functions: who may review, when a request is approved, when its action may proceed. */

import { SlipwayError } from "../../core/errors";
import type { ApprovalRecord, ApprovalTransition, EnvironmentProtection, RepoRole } from "../../store";

/** A pending request no one decided within 30 days expires, as on GitHub. */
export const approvalExpiryMs = 30 * 24 * 60 * 60 * 1000;
/** GitHub's limits: at most 6 required reviewers, a wait timer of at most 30 days. */
export const maxRequiredReviewers = 6;
export const maxWaitTimerSeconds = 30 * 24 * 60 * 60;

const rank: Record<RepoRole, number> = { viewer: 1, developer: 2, maintainer: 3, admin: 4 };

export interface Reviewer {
  name: string;
  isAdmin: boolean;
  /** The reviewer's role on the environment's repository (undefined: none). */
  role: RepoRole | undefined;
}

/** Throws why `reviewer` may not review the request now (CONFLICT: not pending, already reviewed; FORBIDDEN: self-review, no write role). */
export function assertMayReview(approval: ApprovalRecord, reviewer: Reviewer, now: number): void {
  if (approval.state === "pending" && isExpired(approval, now)) throw new SlipwayError("CONFLICT", `Approval request ${approval.id} expired: it was not decided within 30 days.`);
  if (approval.state !== "pending") throw new SlipwayError("CONFLICT", `Approval request ${approval.id} is ${approval.state}: only a pending request can be reviewed.`);
  if (reviewer.name === approval.requester) {
    throw new SlipwayError("FORBIDDEN", `${reviewer.name} requested approval request ${approval.id} and cannot review it: another user with write access to ${approval.repo} must.`);
  }
  if (!reviewer.isAdmin && (reviewer.role === undefined || rank[reviewer.role] < rank.developer)) {
    throw new SlipwayError("FORBIDDEN", `Reviewing deployments to ${approval.environment} needs write access (developer or above) to ${approval.repo}; ${reviewer.name} is ${reviewer.role ?? "not a member"}.`);
  }
  if (approval.reviews.some((review) => review.reviewer === reviewer.name)) throw new SlipwayError("CONFLICT", `${reviewer.name} already reviewed approval request ${approval.id}.`);
}

/** After a review: a rejection ends the request; enough approvals (from others than the requester) approve it; else it stays pending. */
export function decide(approval: ApprovalRecord): ApprovalTransition | undefined {
  const rejection = approval.reviews.find((review) => review.decision === "rejected");
  if (rejection) return { state: "rejected", reason: `rejected by ${rejection.reviewer}${rejection.comment ? `: ${rejection.comment}` : ""}` };
  return approvalCount(approval) >= approval.requiredReviewers ? { state: "approved" } : undefined;
}

export function approvalCount(approval: ApprovalRecord): number {
  return new Set(approval.reviews.filter((review) => review.decision === "approved" && review.reviewer !== approval.requester).map((review) => review.reviewer)).size;
}

export function isExpired(approval: ApprovalRecord, now: number): boolean {
  return approval.state === "pending" && now - approval.createdAt >= approvalExpiryMs;
}

/** When the wait timer ends: the request time plus the timer. */
export function readyAt(approval: ApprovalRecord): number {
  return approval.createdAt + approval.waitTimerSeconds * 1000;
}

export interface ApprovalProgress {
  approvals: number;
  required: number;
  readyAt: number;
  /** The action may run now: approved and the wait timer elapsed. */
  ready: boolean;
  /** The request will never allow its action: rejected, expired or cancelled. */
  denied: boolean;
  /** What is still missing, for people: `1 more approval`, `the wait timer (until …)`. */
  waitingFor: string[];
}

export function approvalProgress(approval: ApprovalRecord, now: number): ApprovalProgress {
  const approvals = approvalCount(approval);
  const until = readyAt(approval);
  const denied = ["rejected", "expired", "cancelled"].includes(approval.state) || isExpired(approval, now);
  const waitingFor: string[] = [];
  if (!denied) {
    if (approval.state === "pending") {
      const missing = Math.max(0, approval.requiredReviewers - approvals);
      waitingFor.push(missing > 0 ? `${missing} more approval${missing === 1 ? "" : "s"}` : "a decision");
    }
    if (now < until) waitingFor.push(`the wait timer (until ${new Date(until).toISOString()})`);
  }
  return { approvals, required: approval.requiredReviewers, readyAt: until, ready: approval.state === "approved" && now >= until, denied, waitingFor };
}

/** Checks protection settings from the API; REQUEST_INVALID names the field. */
export function validateProtection(input: EnvironmentProtection): EnvironmentProtection {
  const { requiredReviewers, waitTimerSeconds } = input;
  if (!Number.isInteger(requiredReviewers) || requiredReviewers < 0 || requiredReviewers > maxRequiredReviewers) {
    throw new SlipwayError("REQUEST_INVALID", `requiredReviewers must be a whole number from 0 to ${maxRequiredReviewers}, not ${requiredReviewers}.`);
  }
  if (!Number.isInteger(waitTimerSeconds) || waitTimerSeconds < 0 || waitTimerSeconds > maxWaitTimerSeconds) {
    throw new SlipwayError("REQUEST_INVALID", `waitTimerSeconds must be a whole number from 0 to ${maxWaitTimerSeconds} (30 days), not ${waitTimerSeconds}.`);
  }
  if (input.protected && requiredReviewers === 0 && waitTimerSeconds === 0) {
    throw new SlipwayError("REQUEST_INVALID", "A protected environment needs at least one required reviewer or a wait timer.");
  }
  return input;
}

const environmentName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertEnvironmentName(name: string): void {
  if (!environmentName.test(name)) throw new SlipwayError("REQUEST_INVALID", `'${name}' is not an environment name: letters, digits, '.', '_' and '-', at most 64.`);
}

/** `90`, `90s`, `5m`, `2h`, `1d` → seconds; anything else is REQUEST_INVALID. */
export function parseWaitTimer(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new SlipwayError("REQUEST_INVALID", `'${text}' is not a duration: use seconds or a number with s, m, h or d (e.g. 5m).`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? "s") as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}
