/**
 * Environment protection on the server: approval requests for promotions and workflow jobs, reviews by
 * other users with write access, wait timers, the approved promotion performed once, events for every
 * decision (event log + server events), waiting for a decision, and what survives a restart.
 */

import { systemClock, type Clock } from "../../core/clock";
import { SlipwayError, describeError } from "../../core/errors";
import type { ApprovalDecision, ApprovalRecord, ApprovalState, EnvironmentProtection, EnvironmentRecord, NewApproval, RepoRecord, UserRecord } from "../../store";
import { approvalProgress, assertMayReview, decide, isExpired, validateProtection, type ApprovalProgress } from "./approvals-rules";
import { performPromotion, type PromotionDeps, type PromotionPayload } from "./approvals-promotion";
import type { ServerEvents } from "./server-events";

export interface ApprovalServiceDeps extends PromotionDeps {
  events: ServerEvents;
  log(message: string): void;
  clock?: Clock;
  /** How often a waiter re-reads its request, for decisions made by another server on the same store. Default 5 s. */
  pollMs?: number;
}

export type ApprovalView = ApprovalRecord & { progress: ApprovalProgress };

export type ApprovalEventType = "approval.requested" | "approval.approved" | "approval.rejected" | "approval.cancelled" | "approval.expired" | "approval.completed";

const eventOfState: Partial<Record<ApprovalState, ApprovalEventType>> = {
  approved: "approval.approved", rejected: "approval.rejected", cancelled: "approval.cancelled", expired: "approval.expired",
};

export class ApprovalService {
  private readonly clock: Clock;
  private readonly waiters = new Map<number, Set<() => void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly deps: ApprovalServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  view(approval: ApprovalRecord): ApprovalView {
    return { ...approval, progress: approvalProgress(approval, this.clock.now()) };
  }

  /** The environment's protection; an environment never configured is unprotected. */
  async environment(repo: string, name: string): Promise<EnvironmentRecord> {
    return (await this.deps.store.approvals.getEnvironment(repo, name)) ?? { repo, name, protected: false, requiredReviewers: 0, waitTimerSeconds: 0, updatedBy: "", updatedAt: 0 };
  }

  async protect(repo: RepoRecord, name: string, protection: EnvironmentProtection, by: UserRecord): Promise<EnvironmentRecord> {
    const saved = await this.deps.store.approvals.putEnvironment(repo.fullName, name, validateProtection(protection), by.name);
    await this.deps.store.events.append({ type: "environment.protection", subject: `env:${repo.fullName}/${name}`, payload: { ...saved } });
    return saved;
  }

  /** One request, with an expired one marked so on the way. */
  async get(id: number): Promise<ApprovalRecord> {
    const approval = await this.deps.store.approvals.get(id);
    if (!approval) throw new SlipwayError("NOT_FOUND", `There is no approval request ${id}.`, { hint: "`slipway approvals` lists them." });
    if (!isExpired(approval, this.clock.now())) return approval;
    await this.move(approval, ["pending"], "expired", "not decided within 30 days");
    return (await this.deps.store.approvals.get(id)) ?? approval;
  }

  /** Records a request; with no reviewer required (a wait timer only) it is approved at once. */
  async request(input: NewApproval): Promise<ApprovalRecord> {
    const approval = await this.deps.store.approvals.create(input);
    await this.publish("approval.requested", approval, approval.requester);
    if (approval.requiredReviewers > 0) return approval;
    await this.move(approval, ["pending"], "approved", null);
    return this.get(approval.id);
  }

  /**
   * For any server path that promotes (API, dashboard): undefined when `environment` of the env repo is not
   * protected (promote now), else the approval request made instead; the server promotes once it is approved.
   */
  async gatePromotion(repo: RepoRecord, environment: string, requester: UserRecord, payload: PromotionPayload): Promise<ApprovalRecord | undefined> {
    const protection = await this.environment(repo.fullName, environment);
    if (!protection.protected) return undefined;
    return this.request({
      repo: repo.fullName, environment, kind: "promotion", requester: requester.name, requiredReviewers: protection.requiredReviewers,
      waitTimerSeconds: protection.waitTimerSeconds, payload: { ...payload },
    });
  }

  /** A review by `user`: checked by the rules (not the requester, write access, pending), then counted. */
  async review(id: number, user: UserRecord, decision: ApprovalDecision, comment: string): Promise<ApprovalRecord> {
    const approval = await this.get(id);
    const [owner, name] = approval.repo.split("/");
    const repo = owner && name ? await this.deps.store.repos.findRepo(owner, name) : undefined;
    const role = repo ? await this.deps.store.repos.roleOf(repo.id, user.id) : undefined;
    assertMayReview(approval, { name: user.name, isAdmin: user.isAdmin, role }, this.clock.now());
    const reviewed = await this.deps.store.approvals.review(id, { reviewer: user.name, decision, comment }, decide);
    if (reviewed.state !== "pending") {
      await this.publish(eventOfState[reviewed.state] ?? "approval.approved", reviewed, user.name, comment || undefined);
      this.afterDecision(reviewed);
    } else {
      this.notify(id);
    }
    return reviewed;
  }

  /** Withdraws a request that is pending (or approved but not yet acted on); false when it was already past that. */
  async cancel(id: number, reason: string, by: string): Promise<boolean> {
    const approval = await this.deps.store.approvals.get(id);
    if (!approval || approval.execution !== null) return false;
    return this.move(approval, ["pending", "approved"], "cancelled", reason, by);
  }

  /**
   * Resolves with the request once its action may run (approved and the wait timer elapsed) or never will
   * (rejected, expired, cancelled); undefined when `signal` aborts first.
   */
  async waitUntilDecided(id: number, signal: AbortSignal): Promise<ApprovalRecord | undefined> {
    for (;;) {
      if (signal.aborted || this.closed) return undefined;
      const approval = await this.get(id);
      const progress = approvalProgress(approval, this.clock.now());
      if (progress.ready || progress.denied) return approval;
      const untilTimer = approval.state === "approved" ? progress.readyAt - this.clock.now() : Infinity;
      await this.changed(id, Math.max(1, Math.min(this.deps.pollMs ?? 5000, untilTimer)), signal);
    }
  }

  /**
   * Startup. Approved promotions whose push had not finished are performed (promote is idempotent: a repeat
   * finds the environment at the version). Runs are not resumed after a restart, so a job's request is
   * cancelled and its waiting job failed with a message that says so; pending promotions simply stay pending.
   */
  async recover(): Promise<void> {
    const promotions = await this.deps.store.approvals.list({ kind: "promotion", states: ["approved"], limit: 500 });
    for (const approval of promotions) if (approval.execution === null || approval.execution === "running") this.schedulePromotion(approval, [approval.execution]);
    const jobs = await this.deps.store.approvals.list({ kind: "job", states: ["pending", "approved"], limit: 500 });
    for (const approval of jobs) {
      if (approval.execution !== null) continue;
      const run = await this.deps.store.runs.getRun(Number(approval.payload.runId));
      if (run && run.status !== "completed") continue;
      const reason = "the server restarted while the job waited; runs are not resumed";
      await this.cancel(approval.id, reason, "slipway");
      const job = run?.jobs.find((candidate) => candidate.jobKey === approval.payload.job);
      if (job && job.status !== "completed") {
        const message = `The server restarted while this job waited for approval ${approval.id} (environment ${approval.environment}); the request was cancelled. Re-run the workflow to deploy.`;
        await this.deps.store.runs.updateJob(job.id, { status: "completed", conclusion: "failure", completedAt: this.clock.now(), error: message });
      }
    }
  }

  /** Stops timers and waits for promotions in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.waiters.values()].flatMap((set) => [...set])) wake();
    await Promise.all([...this.inFlight]);
  }

  private async move(approval: ApprovalRecord, from: ApprovalState[], to: ApprovalState, reason: string | null, actor = "slipway"): Promise<boolean> {
    const moved = await this.deps.store.approvals.transition(approval.id, from, { state: to, reason });
    if (!moved) return false;
    const current = (await this.deps.store.approvals.get(approval.id)) ?? approval;
    await this.publish(eventOfState[to] ?? "approval.cancelled", current, actor, reason ?? undefined);
    this.afterDecision(current);
    return true;
  }

  private afterDecision(approval: ApprovalRecord): void {
    this.notify(approval.id);
    if (approval.state === "approved" && approval.kind === "promotion") this.schedulePromotion(approval, [null]);
  }

  /** Performs the promotion once the wait timer has elapsed; the execution claim makes it happen once. */
  private schedulePromotion(approval: ApprovalRecord, from: (ApprovalRecord["execution"])[]): void {
    if (this.closed) return;
    const delay = Math.max(0, approvalProgress(approval, this.clock.now()).readyAt - this.clock.now());
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const work = this.executePromotion(approval.id, from).catch((error: unknown) => this.deps.log(`approval ${approval.id}: ${describeError(error)}`));
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    }, delay);
    this.timers.add(timer);
  }

  private async executePromotion(id: number, from: (ApprovalRecord["execution"])[]): Promise<void> {
    if (this.closed || !(await this.deps.store.approvals.claimExecution(id, from))) return;
    const approval = await this.get(id);
    let finished: ApprovalRecord;
    try {
      const result = await performPromotion(this.deps, approval);
      finished = await this.deps.store.approvals.finishExecution(id, "succeeded", result);
    } catch (error) {
      finished = await this.deps.store.approvals.finishExecution(id, "failed", { error: describeError(error) });
    }
    await this.publish("approval.completed", finished, approval.requester, finished.execution === "failed" ? String((finished.result as { error?: string }).error) : undefined);
    this.notify(id);
  }

  /** Appends to the event log and tells in-process listeners (notifications, dashboard, SSE). */
  private async publish(type: ApprovalEventType, approval: ApprovalRecord, actor: string, message?: string): Promise<void> {
    const payload = {
      approvalId: approval.id, repo: approval.repo, environment: approval.environment, kind: approval.kind, requester: approval.requester,
      actor, state: approval.state, execution: approval.execution, message: message ?? null, details: approval.payload,
    };
    await this.deps.store.events.append({ type, subject: `approval:${approval.id}`, payload }).catch((error: unknown) => this.deps.log(`event ${type} approval:${approval.id}: ${describeError(error)}`));
    this.deps.events.emit({ type, approvalId: approval.id, repo: approval.repo, environment: approval.environment, kind: approval.kind, actor, state: approval.state, execution: approval.execution ?? undefined, message });
  }

  private notify(id: number): void {
    for (const wake of this.waiters.get(id) ?? []) wake();
  }

  /** Resolves on a change to the request, after `ms`, or when `signal` aborts. */
  private changed(id: number, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, set);
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done);
      set.add(done);
      if (this.closed) done();
    });
  }
}
