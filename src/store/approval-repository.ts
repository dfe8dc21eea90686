/** Protected environments (per repository) and approval requests with their reviews: the durable side of environment protection. */

import { sql, type Kysely, type Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { JsonObject, JsonValue } from "../core/json";
import type {
  ApprovalDecision, ApprovalExecution, ApprovalKind, ApprovalReviewsTable, ApprovalState, ApprovalsTable, Database, EnvironmentsTable, StoreDialect,
} from "./schema";
import { inTransaction, parseJsonText, storeOperation, toJsonText } from "./store-operation";

export interface EnvironmentProtection {
  protected: boolean;
  requiredReviewers: number;
  waitTimerSeconds: number;
}

export interface EnvironmentRecord extends EnvironmentProtection {
  /** `owner/name` of the repository the environment belongs to. */
  repo: string;
  name: string;
  updatedBy: string;
  updatedAt: number;
}

export interface ApprovalReviewRecord {
  reviewer: string;
  decision: ApprovalDecision;
  comment: string;
  createdAt: number;
}

export interface NewApproval {
  repo: string;
  environment: string;
  kind: ApprovalKind;
  requester: string;
  requiredReviewers: number;
  waitTimerSeconds: number;
  /** What is to happen: service/version/image for a promotion, run/job for a workflow job. */
  payload: JsonObject;
}

export interface ApprovalRecord extends NewApproval {
  id: number;
  state: ApprovalState;
  reason: string | null;
  execution: ApprovalExecution | null;
  result: JsonValue | null;
  reviews: ApprovalReviewRecord[];
  createdAt: number;
  updatedAt: number;
  decidedAt: number | null;
  completedAt: number | null;
}

export interface ApprovalQuery {
  repo?: string;
  environment?: string;
  kind?: ApprovalKind;
  states?: ApprovalState[];
  /** Newest first; page on with the last id of the previous page. */
  beforeId?: number;
  limit?: number;
}

export interface ApprovalTransition {
  state: ApprovalState;
  reason?: string | null;
}

function toEnvironment(row: Selectable<EnvironmentsTable>): EnvironmentRecord {
  return {
    repo: row.repo, name: row.name, protected: row.is_protected === 1, requiredReviewers: Number(row.required_reviewers),
    waitTimerSeconds: Number(row.wait_timer_seconds), updatedBy: row.updated_by, updatedAt: Number(row.updated_at),
  };
}

function toReview(row: Selectable<ApprovalReviewsTable>): ApprovalReviewRecord {
  return { reviewer: row.reviewer, decision: row.decision, comment: row.comment, createdAt: Number(row.created_at) };
}

function toApproval(row: Selectable<ApprovalsTable>, reviews: ApprovalReviewRecord[]): ApprovalRecord {
  return {
    id: Number(row.id), repo: row.repo, environment: row.environment, kind: row.kind, requester: row.requester, state: row.state,
    requiredReviewers: Number(row.required_reviewers), waitTimerSeconds: Number(row.wait_timer_seconds),
    payload: parseJsonText<JsonObject>(row.payload_json, {}), reason: row.reason, execution: row.execution,
    result: parseJsonText<JsonValue | null>(row.result_json, null), reviews,
    createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at), completedAt: row.completed_at === null ? null : Number(row.completed_at),
  };
}

const DEFAULT_LIST_LIMIT = 50;

export class ApprovalRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StoreDialect,
    private readonly clock: Clock,
  ) {}

  getEnvironment(repo: string, name: string): Promise<EnvironmentRecord | undefined> {
    return storeOperation("getEnvironment", async () => {
      const row = await this.db.selectFrom("environments").selectAll().where("repo", "=", repo).where("name", "=", name).executeTakeFirst();
      return row ? toEnvironment(row) : undefined;
    });
  }

  /** Every environment of a repository (all repositories' when `repo` is undefined), by repo then name. */
  listEnvironments(repo?: string): Promise<EnvironmentRecord[]> {
    return storeOperation("listEnvironments", async () => {
      let select = this.db.selectFrom("environments").selectAll();
      if (repo !== undefined) select = select.where("repo", "=", repo);
      return (await select.orderBy("repo").orderBy("name").execute()).map(toEnvironment);
    });
  }

  /** Creates or replaces the environment's protection rules. */
  putEnvironment(repo: string, name: string, protection: EnvironmentProtection, updatedBy: string): Promise<EnvironmentRecord> {
    return storeOperation("putEnvironment", async () => {
      const values = {
        is_protected: protection.protected ? 1 : 0, required_reviewers: protection.requiredReviewers,
        wait_timer_seconds: protection.waitTimerSeconds, updated_by: updatedBy, updated_at: this.clock.now(),
      } as const;
      const row = await this.db
        .insertInto("environments")
        .values({ repo, name, ...values })
        .onConflict((c) => c.columns(["repo", "name"]).doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toEnvironment(row);
    });
  }

  create(approval: NewApproval): Promise<ApprovalRecord> {
    return storeOperation("createApproval", async () => {
      const now = this.clock.now();
      const row = await this.db
        .insertInto("approvals")
        .values({
          repo: approval.repo, environment: approval.environment, kind: approval.kind, requester: approval.requester, state: "pending",
          required_reviewers: approval.requiredReviewers, wait_timer_seconds: approval.waitTimerSeconds, payload_json: toJsonText(approval.payload),
          reason: null, execution: null, result_json: null, created_at: now, updated_at: now, decided_at: null, completed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApproval(row, []);
    });
  }

  get(id: number): Promise<ApprovalRecord | undefined> {
    return storeOperation("getApproval", () => this.load(this.db, id));
  }

  list(query: ApprovalQuery = {}): Promise<ApprovalRecord[]> {
    return storeOperation("listApprovals", async () => {
      let select = this.db.selectFrom("approvals").selectAll();
      if (query.repo !== undefined) select = select.where("repo", "=", query.repo);
      if (query.environment !== undefined) select = select.where("environment", "=", query.environment);
      if (query.kind !== undefined) select = select.where("kind", "=", query.kind);
      if (query.states !== undefined) {
        if (query.states.length === 0) return [];
        select = select.where("state", "in", query.states);
      }
      if (query.beforeId !== undefined) select = select.where("id", "<", query.beforeId);
      const rows = await select.orderBy("id", "desc").limit(query.limit ?? DEFAULT_LIST_LIMIT).execute();
      const reviews = await this.reviewsOf(this.db, rows.map((row) => Number(row.id)));
      return rows.map((row) => toApproval(row, reviews.get(Number(row.id)) ?? []));
    });
  }

  /**
   * Adds one review and moves the request on in one transaction: `next` sees the request with every review
   * and says what it becomes. The row is locked on Postgres, so two reviewers approving at once are both counted.
   * A request that is no longer pending, or a second review by the same reviewer, is CONFLICT and changes nothing.
   */
  review(id: number, review: { reviewer: string; decision: ApprovalDecision; comment: string }, next: (approval: ApprovalRecord) => ApprovalTransition | undefined): Promise<ApprovalRecord> {
    return storeOperation("reviewApproval", () =>
      inTransaction(this.db, async (trx) => {
        const current = await this.load(trx, id, true);
        if (!current) throw new SlipwayError("NOT_FOUND", `There is no approval request ${id}.`);
        if (current.state !== "pending") throw new SlipwayError("CONFLICT", `Approval request ${id} is ${current.state}: only a pending request can be reviewed.`);
        if (current.reviews.some((r) => r.reviewer === review.reviewer)) throw new SlipwayError("CONFLICT", `${review.reviewer} already reviewed approval request ${id}.`);
        const now = this.clock.now();
        await trx.insertInto("approval_reviews").values({ approval_id: id, reviewer: review.reviewer, decision: review.decision, comment: review.comment, created_at: now }).execute();
        const reviewed = await this.load(trx, id);
        if (!reviewed) throw new SlipwayError("NOT_FOUND", `There is no approval request ${id}.`);
        const transition = next(reviewed);
        if (!transition) {
          await trx.updateTable("approvals").set({ updated_at: now }).where("id", "=", id).execute();
          return { ...reviewed, updatedAt: now };
        }
        await trx.updateTable("approvals").set({ state: transition.state, reason: transition.reason ?? null, decided_at: now, updated_at: now }).where("id", "=", id).execute();
        return { ...reviewed, state: transition.state, reason: transition.reason ?? null, decidedAt: now, updatedAt: now };
      }),
    );
  }

  /** Compare-and-swap of the state: true when the request was in one of `from` and is now `to.state`. */
  transition(id: number, from: ApprovalState[], to: ApprovalTransition): Promise<boolean> {
    return storeOperation("transitionApproval", async () => {
      const now = this.clock.now();
      const result = await this.db
        .updateTable("approvals")
        .set({ state: to.state, reason: to.reason ?? null, decided_at: now, updated_at: now })
        .where("id", "=", id)
        .where("state", "in", from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /** Takes an approved request's action: true for exactly one caller while its execution is one of `from`. */
  claimExecution(id: number, from: (ApprovalExecution | null)[] = [null]): Promise<boolean> {
    return storeOperation("claimApprovalExecution", async () => {
      const states = from.filter((value): value is ApprovalExecution => value !== null);
      const result = await this.db
        .updateTable("approvals")
        .set({ execution: "running", updated_at: this.clock.now() })
        .where("id", "=", id)
        .where("state", "=", "approved")
        .where((eb) => {
          const options = [];
          if (from.includes(null)) options.push(eb("execution", "is", null));
          if (states.length > 0) options.push(eb("execution", "in", states));
          return eb.or(options);
        })
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /** Records how the approved action ended, with its result (a promotion's commit, or the error). */
  finishExecution(id: number, execution: "succeeded" | "failed", result: JsonValue): Promise<ApprovalRecord> {
    return storeOperation("finishApprovalExecution", async () => {
      const now = this.clock.now();
      await this.db.updateTable("approvals").set({ execution, result_json: toJsonText(result), completed_at: now, updated_at: now }).where("id", "=", id).execute();
      const approval = await this.load(this.db, id);
      if (!approval) throw new SlipwayError("NOT_FOUND", `There is no approval request ${id}.`);
      return approval;
    });
  }

  private async load(db: Kysely<Database>, id: number, lock = false): Promise<ApprovalRecord | undefined> {
    let select = db.selectFrom("approvals").selectAll().where("id", "=", id);
    if (lock && this.dialect === "postgres") select = select.modifyEnd(sql`for update`);
    const row = await select.executeTakeFirst();
    if (!row) return undefined;
    return toApproval(row, (await this.reviewsOf(db, [id])).get(id) ?? []);
  }

  private async reviewsOf(db: Kysely<Database>, ids: number[]): Promise<Map<number, ApprovalReviewRecord[]>> {
    const byApproval = new Map<number, ApprovalReviewRecord[]>();
    if (ids.length === 0) return byApproval;
    const rows = await db.selectFrom("approval_reviews").selectAll().where("approval_id", "in", ids).orderBy("id").execute();
    for (const row of rows) {
      const list = byApproval.get(Number(row.approval_id)) ?? [];
      list.push(toReview(row));
      byApproval.set(Number(row.approval_id), list);
    }
    return byApproval;
  }
}
