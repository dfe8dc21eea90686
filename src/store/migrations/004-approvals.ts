/** Migration 004: protected environments per repository, approval requests (promotions, workflow jobs) and their reviews. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function approvalsSchema(dialect: SchemaDialect): Migration {
  const json = dialect.jsonType;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const schema = db.schema;

      await schema
        .createTable("environments")
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("is_protected", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("required_reviewers", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("wait_timer_seconds", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("updated_by", "text", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("environments_pk", ["repo", "name"])
        .execute();

      await dialect
        .withId(schema.createTable("approvals"))
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("environment", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("requester", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("required_reviewers", "integer", (c) => c.notNull())
        .addColumn("wait_timer_seconds", "integer", (c) => c.notNull())
        .addColumn("payload_json", json, (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("execution", "text")
        .addColumn("result_json", json)
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .addColumn("decided_at", "bigint")
        .addColumn("completed_at", "bigint")
        .execute();
      await schema.createIndex("approvals_state_id").on("approvals").columns(["state", "id"]).execute();
      await schema.createIndex("approvals_repo_environment_id").on("approvals").columns(["repo", "environment", "id"]).execute();

      // One review per reviewer and request: approving twice never counts twice.
      await dialect
        .withId(schema.createTable("approval_reviews"))
        .addColumn("approval_id", "bigint", (c) => c.notNull().references("approvals.id").onDelete("cascade"))
        .addColumn("reviewer", "text", (c) => c.notNull())
        .addColumn("decision", "text", (c) => c.notNull())
        .addColumn("comment", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("approval_reviews_approval_reviewer_unique", ["approval_id", "reviewer"])
        .execute();
    },
  };
}
