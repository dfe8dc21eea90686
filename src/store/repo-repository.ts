/** Hosted repositories, their members and roles, and their recorded pushes. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { Database, PushesTable, RepoRole, ReposTable } from "./schema";
import { parseJsonText, storeOperation, toJsonText } from "./store-operation";

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  isPublic: boolean;
  defaultBranch: string;
  branchPatterns: string[];
  mirrorUrl: string | null;
  webhookSecret: string | null;
  createdAt: number;
}

export interface NewRepo {
  owner: string;
  name: string;
  isPublic?: boolean;
  defaultBranch?: string;
  branchPatterns?: string[];
  mirrorUrl?: string | null;
  webhookSecret?: string | null;
  createdBy: number;
}

export interface PushRecord {
  id: number;
  repoId: number;
  ref: string;
  before: string;
  after: string;
  pusher: string;
  forced: boolean;
  commits: unknown[];
  changedPaths: string[];
  createdAt: number;
  processedAt: number | null;
}

export type NewPush = Omit<PushRecord, "id" | "createdAt" | "processedAt">;

function toRepo(row: Selectable<ReposTable>): RepoRecord {
  return {
    id: row.id,
    owner: row.owner,
    name: row.name,
    fullName: `${row.owner}/${row.name}`,
    isPublic: row.is_public === 1,
    defaultBranch: row.default_branch,
    branchPatterns: parseJsonText<string[]>(row.branch_patterns_json, []),
    mirrorUrl: row.mirror_url,
    webhookSecret: row.webhook_secret,
    createdAt: row.created_at,
  };
}

function toPush(row: Selectable<PushesTable>): PushRecord {
  return {
    id: row.id,
    repoId: row.repo_id,
    ref: row.ref,
    before: row.before_sha,
    after: row.after_sha,
    pusher: row.pusher,
    forced: row.forced === 1,
    commits: parseJsonText<unknown[]>(row.commits_json, []),
    changedPaths: parseJsonText<string[]>(row.changed_paths_json, []),
    createdAt: row.created_at,
    processedAt: row.processed_at,
  };
}

export class RepoRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  createRepo(repo: NewRepo): Promise<RepoRecord> {
    return storeOperation("createRepo", async () => {
      if (await this.findRepo(repo.owner, repo.name)) throw new SlipwayError("CONFIG_INVALID", `The repository ${repo.owner}/${repo.name} already exists.`);
      const row = await this.db
        .insertInto("repos")
        .values({
          owner: repo.owner,
          name: repo.name,
          is_public: repo.isPublic ? 1 : 0,
          default_branch: repo.defaultBranch ?? "main",
          branch_patterns_json: toJsonText(repo.branchPatterns ?? []),
          mirror_url: repo.mirrorUrl ?? null,
          webhook_secret: repo.webhookSecret ?? null,
          created_by: repo.createdBy,
          created_at: this.clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.db.insertInto("repo_members").values({ repo_id: row.id, user_id: repo.createdBy, role: "admin" }).execute();
      return toRepo(row);
    });
  }

  findRepo(owner: string, name: string): Promise<RepoRecord | undefined> {
    return storeOperation("findRepo", async () => {
      const row = await this.db.selectFrom("repos").selectAll().where("owner", "=", owner).where("name", "=", name).executeTakeFirst();
      return row ? toRepo(row) : undefined;
    });
  }

  getRepo(id: number): Promise<RepoRecord | undefined> {
    return storeOperation("getRepo", async () => {
      const row = await this.db.selectFrom("repos").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toRepo(row) : undefined;
    });
  }

  listRepos(): Promise<RepoRecord[]> {
    return storeOperation("listRepos", async () => (await this.db.selectFrom("repos").selectAll().orderBy("owner").orderBy("name").execute()).map(toRepo));
  }

  updateRepo(id: number, patch: { isPublic?: boolean; branchPatterns?: string[]; defaultBranch?: string }): Promise<RepoRecord> {
    return storeOperation("updateRepo", async () => {
      const row = await this.db
        .updateTable("repos")
        .set({
          ...(patch.isPublic === undefined ? {} : { is_public: patch.isPublic ? 1 : 0 }),
          ...(patch.branchPatterns === undefined ? {} : { branch_patterns_json: toJsonText(patch.branchPatterns) }),
          ...(patch.defaultBranch === undefined ? {} : { default_branch: patch.defaultBranch }),
        })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new SlipwayError("CONFIG_INVALID", `Repository ${id} does not exist.`);
      return toRepo(row);
    });
  }

  deleteRepo(id: number): Promise<void> {
    return storeOperation("deleteRepo", async () => {
      await this.db.deleteFrom("repos").where("id", "=", id).execute();
    });
  }

  setRole(repoId: number, userId: number, role: RepoRole): Promise<void> {
    return storeOperation("setRole", async () => {
      await this.db
        .insertInto("repo_members")
        .values({ repo_id: repoId, user_id: userId, role })
        .onConflict((c) => c.columns(["repo_id", "user_id"]).doUpdateSet({ role }))
        .execute();
    });
  }

  roleOf(repoId: number, userId: number): Promise<RepoRole | undefined> {
    return storeOperation("roleOf", async () => {
      const row = await this.db.selectFrom("repo_members").select("role").where("repo_id", "=", repoId).where("user_id", "=", userId).executeTakeFirst();
      return row?.role;
    });
  }

  recordPush(push: NewPush): Promise<PushRecord> {
    return storeOperation("recordPush", async () => {
      const row = await this.db
        .insertInto("pushes")
        .values({
          repo_id: push.repoId,
          ref: push.ref,
          before_sha: push.before,
          after_sha: push.after,
          pusher: push.pusher,
          forced: push.forced ? 1 : 0,
          commits_json: toJsonText(push.commits),
          changed_paths_json: toJsonText(push.changedPaths),
          created_at: this.clock.now(),
          processed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPush(row);
    });
  }

  markPushProcessed(id: number): Promise<void> {
    return storeOperation("markPushProcessed", async () => {
      await this.db.updateTable("pushes").set({ processed_at: this.clock.now() }).where("id", "=", id).execute();
    });
  }

  listPushes(repoId: number, options: { unprocessedOnly?: boolean; limit?: number } = {}): Promise<PushRecord[]> {
    return storeOperation("listPushes", async () => {
      let query = this.db.selectFrom("pushes").selectAll().where("repo_id", "=", repoId);
      if (options.unprocessedOnly) query = query.where("processed_at", "is", null);
      return (await query.orderBy("id").limit(options.limit ?? 100).execute()).map(toPush);
    });
  }

  listUnprocessedPushes(): Promise<PushRecord[]> {
    return storeOperation("listUnprocessedPushes", async () =>
      (await this.db.selectFrom("pushes").selectAll().where("processed_at", "is", null).orderBy("id").execute()).map(toPush),
    );
  }
}
