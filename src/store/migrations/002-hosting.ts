/** Migration 002: hosting — users and tokens, repositories and roles, pushes, checks, pull requests, reviews, protection. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function hostingSchema(dialect: SchemaDialect): Migration {
  const json = dialect.jsonType;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const schema = db.schema;

      await dialect
        .withId(schema.createTable("users"))
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      // Only a SHA-256 of each token is kept; the token itself is shown once.
      await dialect
        .withId(schema.createTable("tokens"))
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_used_at", "bigint")
        .execute();

      await dialect
        .withId(schema.createTable("repos"))
        .addColumn("owner", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("is_public", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("default_branch", "text", (c) => c.notNull())
        .addColumn("branch_patterns_json", json, (c) => c.notNull())
        .addColumn("mirror_url", "text")
        .addColumn("webhook_secret", "text")
        .addColumn("created_by", "bigint", (c) => c.references("users.id").onDelete("set null"))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("repos_owner_name_unique", ["owner", "name"])
        .execute();

      await schema
        .createTable("repo_members")
        .addColumn("repo_id", "bigint", (c) => c.notNull().references("repos.id").onDelete("cascade"))
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id").onDelete("cascade"))
        .addColumn("role", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("repo_members_pk", ["repo_id", "user_id"])
        .execute();

      // One row per ref update of a push; `processed_at` stays null until its runs are created.
      await dialect
        .withId(schema.createTable("pushes"))
        .addColumn("repo_id", "bigint", (c) => c.notNull().references("repos.id").onDelete("cascade"))
        .addColumn("ref", "text", (c) => c.notNull())
        .addColumn("before_sha", "text", (c) => c.notNull())
        .addColumn("after_sha", "text", (c) => c.notNull())
        .addColumn("pusher", "text", (c) => c.notNull())
        .addColumn("forced", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("commits_json", json, (c) => c.notNull())
        .addColumn("changed_paths_json", json, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("processed_at", "bigint")
        .execute();
      await schema.createIndex("pushes_repo_id").on("pushes").columns(["repo_id", "id"]).execute();

      await dialect
        .withId(schema.createTable("checks"))
        .addColumn("repo_id", "bigint", (c) => c.notNull().references("repos.id").onDelete("cascade"))
        .addColumn("sha", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("run_id", "bigint", (c) => c.references("runs.id").onDelete("set null"))
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("conclusion", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("checks_repo_sha_name_run_unique", ["repo_id", "sha", "name", "run_id"])
        .execute();
      await schema.createIndex("checks_repo_sha").on("checks").columns(["repo_id", "sha"]).execute();

      await dialect
        .withId(schema.createTable("pull_requests"))
        .addColumn("repo_id", "bigint", (c) => c.notNull().references("repos.id").onDelete("cascade"))
        .addColumn("number", "bigint", (c) => c.notNull())
        .addColumn("title", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("source_branch", "text", (c) => c.notNull())
        .addColumn("target_branch", "text", (c) => c.notNull())
        .addColumn("head_sha", "text", (c) => c.notNull())
        .addColumn("author_id", "bigint", (c) => c.notNull().references("users.id"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("merge_method", "text")
        .addColumn("merged_sha", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("pull_requests_repo_number_unique", ["repo_id", "number"])
        .execute();

      await dialect
        .withId(schema.createTable("reviews"))
        .addColumn("pull_request_id", "bigint", (c) => c.notNull().references("pull_requests.id").onDelete("cascade"))
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("body", "text", (c) => c.notNull())
        .addColumn("commit_sha", "text", (c) => c.notNull())
        .addColumn("dismissed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      await schema
        .createTable("branch_protections")
        .addColumn("repo_id", "bigint", (c) => c.notNull().references("repos.id").onDelete("cascade"))
        .addColumn("branch", "text", (c) => c.notNull())
        .addColumn("required_checks_json", json, (c) => c.notNull())
        .addColumn("required_approvals", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("require_up_to_date", "integer", (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint("branch_protections_pk", ["repo_id", "branch"])
        .execute();
    },
  };
}
