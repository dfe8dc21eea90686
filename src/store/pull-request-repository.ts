/** Pull requests (numbered per repository), their reviews, and branch protection rules. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { BranchProtectionsTable, Database, PullRequestState, PullRequestsTable, ReviewState, ReviewsTable } from "./schema";
import { inTransaction, parseJsonText, storeOperation, toJsonText } from "./store-operation";

export interface PullRequestRecord {
  id: number;
  repoId: number;
  number: number;
  title: string;
  body: string;
  sourceBranch: string;
  targetBranch: string;
  headSha: string;
  authorId: number;
  author: string;
  state: PullRequestState;
  mergeMethod: string | null;
  mergedSha: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewPullRequest {
  repoId: number;
  title: string;
  body: string;
  sourceBranch: string;
  targetBranch: string;
  headSha: string;
  authorId: number;
}

export interface ReviewRecord {
  id: number;
  pullRequestId: number;
  userId: number;
  reviewer: string;
  state: ReviewState;
  body: string;
  commitSha: string;
  dismissed: boolean;
  createdAt: number;
}

export interface BranchProtectionRecord {
  repoId: number;
  branch: string;
  requiredChecks: string[];
  requiredApprovals: number;
  requireUpToDate: boolean;
}

type PullRequestRow = Selectable<PullRequestsTable> & { author_name: string };
type ReviewRow = Selectable<ReviewsTable> & { reviewer_name: string };

function toPullRequest(row: PullRequestRow): PullRequestRecord {
  return {
    id: row.id,
    repoId: row.repo_id,
    number: Number(row.number),
    title: row.title,
    body: row.body,
    sourceBranch: row.source_branch,
    targetBranch: row.target_branch,
    headSha: row.head_sha,
    authorId: row.author_id,
    author: row.author_name,
    state: row.state,
    mergeMethod: row.merge_method,
    mergedSha: row.merged_sha,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toReview(row: ReviewRow): ReviewRecord {
  return {
    id: row.id,
    pullRequestId: row.pull_request_id,
    userId: row.user_id,
    reviewer: row.reviewer_name,
    state: row.state,
    body: row.body,
    commitSha: row.commit_sha,
    dismissed: row.dismissed === 1,
    createdAt: row.created_at,
  };
}

function toProtection(row: Selectable<BranchProtectionsTable>): BranchProtectionRecord {
  return {
    repoId: row.repo_id,
    branch: row.branch,
    requiredChecks: parseJsonText<string[]>(row.required_checks_json, []),
    requiredApprovals: row.required_approvals,
    requireUpToDate: row.require_up_to_date === 1,
  };
}

export class PullRequestRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  private selectPullRequests(db: Kysely<Database> = this.db) {
    return db.selectFrom("pull_requests").innerJoin("users", "users.id", "pull_requests.author_id").selectAll("pull_requests").select("users.name as author_name");
  }

  /** Numbers are per repository (1, 2, …); refuses a second open pull request for the same source and target. */
  createPullRequest(pr: NewPullRequest): Promise<PullRequestRecord> {
    return storeOperation("createPullRequest", () =>
      inTransaction(this.db, async (trx) => {
        // A no-op write to the repo row locks it (Postgres) so concurrent creations get distinct numbers
        // and see each other's open pull requests; SQLite serializes writers anyway.
        await trx.updateTable("repos").set((eb) => ({ default_branch: eb.ref("default_branch") })).where("id", "=", pr.repoId).execute();
        const open = await this.findOpenFor(pr.repoId, pr.sourceBranch, pr.targetBranch, trx);
        if (open) throw new SlipwayError("CONFLICT", `Pull request #${open.number} from ${pr.sourceBranch} into ${pr.targetBranch} is already open.`);
        const last = await trx.selectFrom("pull_requests").select((eb) => eb.fn.max("number").as("last")).where("repo_id", "=", pr.repoId).executeTakeFirst();
        const now = this.clock.now();
        const row = await trx
          .insertInto("pull_requests")
          .values({
            repo_id: pr.repoId,
            number: Number(last?.last ?? 0) + 1,
            title: pr.title,
            body: pr.body,
            source_branch: pr.sourceBranch,
            target_branch: pr.targetBranch,
            head_sha: pr.headSha,
            author_id: pr.authorId,
            state: "open",
            merge_method: null,
            merged_sha: null,
            created_at: now,
            updated_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        return toPullRequest(await this.selectPullRequests(trx).where("pull_requests.id", "=", row.id).executeTakeFirstOrThrow());
      }),
    );
  }

  findOpenFor(repoId: number, sourceBranch: string, targetBranch: string, db: Kysely<Database> = this.db): Promise<PullRequestRecord | undefined> {
    return storeOperation("findOpenPullRequest", async () => {
      const row = await this.selectPullRequests(db)
        .where("pull_requests.repo_id", "=", repoId)
        .where("pull_requests.source_branch", "=", sourceBranch)
        .where("pull_requests.target_branch", "=", targetBranch)
        .where("pull_requests.state", "=", "open")
        .executeTakeFirst();
      return row ? toPullRequest(row) : undefined;
    });
  }

  getPullRequest(repoId: number, number: number): Promise<PullRequestRecord | undefined> {
    return storeOperation("getPullRequest", async () => {
      const row = await this.selectPullRequests().where("pull_requests.repo_id", "=", repoId).where("pull_requests.number", "=", number).executeTakeFirst();
      return row ? toPullRequest(row) : undefined;
    });
  }

  /** Newest first; `all` (or no state) lists every state. */
  listPullRequests(repoId: number, options: { state?: PullRequestState | "all"; sourceBranch?: string; limit?: number } = {}): Promise<PullRequestRecord[]> {
    return storeOperation("listPullRequests", async () => {
      let query = this.selectPullRequests().where("pull_requests.repo_id", "=", repoId);
      if (options.state && options.state !== "all") query = query.where("pull_requests.state", "=", options.state);
      if (options.sourceBranch !== undefined) query = query.where("pull_requests.source_branch", "=", options.sourceBranch);
      return (await query.orderBy("pull_requests.number", "desc").limit(options.limit ?? 200).execute()).map(toPullRequest);
    });
  }

  updateHead(id: number, headSha: string): Promise<void> {
    return storeOperation("updatePullRequestHead", async () => {
      await this.db.updateTable("pull_requests").set({ head_sha: headSha, updated_at: this.clock.now() }).where("id", "=", id).execute();
    });
  }

  /**
   * Moves a pull request from one state to another; false when it was not in `from` any more
   * (so two concurrent closes or merges cannot both win).
   */
  transition(id: number, from: PullRequestState, to: PullRequestState, merge: { method: string; sha: string } | undefined = undefined): Promise<boolean> {
    return storeOperation("transitionPullRequest", async () => {
      const result = await this.db
        .updateTable("pull_requests")
        .set({ state: to, updated_at: this.clock.now(), ...(merge ? { merge_method: merge.method, merged_sha: merge.sha } : {}) })
        .where("id", "=", id)
        .where("state", "=", from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  addReview(review: { pullRequestId: number; userId: number; state: ReviewState; body: string; commitSha: string }): Promise<ReviewRecord> {
    return storeOperation("addReview", async () => {
      const row = await this.db
        .insertInto("reviews")
        .values({ pull_request_id: review.pullRequestId, user_id: review.userId, state: review.state, body: review.body, commit_sha: review.commitSha, dismissed: 0, created_at: this.clock.now() })
        .returning("id")
        .executeTakeFirstOrThrow();
      const created = await this.selectReviews().where("reviews.id", "=", row.id).executeTakeFirstOrThrow();
      return toReview(created);
    });
  }

  /** Oldest first. */
  listReviews(pullRequestId: number): Promise<ReviewRecord[]> {
    return storeOperation("listReviews", async () => (await this.selectReviews().where("reviews.pull_request_id", "=", pullRequestId).orderBy("reviews.id").execute()).map(toReview));
  }

  /** Marks approvals given on any commit other than `headSha` as dismissed; returns how many. */
  dismissStaleApprovals(pullRequestId: number, headSha: string): Promise<number> {
    return storeOperation("dismissStaleApprovals", async () => {
      const result = await this.db
        .updateTable("reviews")
        .set({ dismissed: 1 })
        .where("pull_request_id", "=", pullRequestId)
        .where("state", "=", "approved")
        .where("dismissed", "=", 0)
        .where("commit_sha", "!=", headSha)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    });
  }

  getProtection(repoId: number, branch: string): Promise<BranchProtectionRecord | undefined> {
    return storeOperation("getBranchProtection", async () => {
      const row = await this.db.selectFrom("branch_protections").selectAll().where("repo_id", "=", repoId).where("branch", "=", branch).executeTakeFirst();
      return row ? toProtection(row) : undefined;
    });
  }

  setProtection(protection: BranchProtectionRecord): Promise<BranchProtectionRecord> {
    return storeOperation("setBranchProtection", async () => {
      const values = {
        required_checks_json: toJsonText(protection.requiredChecks),
        required_approvals: protection.requiredApprovals,
        require_up_to_date: protection.requireUpToDate ? (1 as const) : (0 as const),
      };
      await this.db
        .insertInto("branch_protections")
        .values({ repo_id: protection.repoId, branch: protection.branch, ...values })
        .onConflict((c) => c.columns(["repo_id", "branch"]).doUpdateSet(values))
        .execute();
      return protection;
    });
  }

  deleteProtection(repoId: number, branch: string): Promise<boolean> {
    return storeOperation("deleteBranchProtection", async () => {
      const result = await this.db.deleteFrom("branch_protections").where("repo_id", "=", repoId).where("branch", "=", branch).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  private selectReviews() {
    return this.db.selectFrom("reviews").innerJoin("users", "users.id", "reviews.user_id").selectAll("reviews").select("users.name as reviewer_name");
  }
}
