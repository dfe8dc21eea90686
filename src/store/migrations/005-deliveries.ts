/** Migration 005: deliveries — every sync operation of an Application and every deployment outcome, so history survives a restart. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function deliveriesSchema(dialect: SchemaDialect): Migration {
  const json = dialect.jsonType;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const schema = db.schema;
      // One row per sync record; `seq` is the controller's record id, written at start and again at finish.
      await dialect
        .withId(schema.createTable("sync_operations"))
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("app", "text", (c) => c.notNull())
        .addColumn("seq", "integer", (c) => c.notNull())
        .addColumn("revision", "text", (c) => c.notNull())
        .addColumn("trigger", "text", (c) => c.notNull())
        .addColumn("triggered_by", "text")
        .addColumn("trigger_sha", "text")
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint")
        .addColumn("result", "text")
        .addColumn("message", "text")
        .addColumn("applied_json", json, (c) => c.notNull())
        .addColumn("pruned_json", json, (c) => c.notNull())
        .addColumn("rolled_back_to", "text")
        .addColumn("revert_commit", "text")
        .addColumn("duration_ms", "bigint")
        .addUniqueConstraint("sync_operations_repo_app_seq_unique", ["repo", "app", "seq"])
        .execute();

      await dialect
        .withId(schema.createTable("deployments"))
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("app", "text", (c) => c.notNull())
        .addColumn("namespace", "text", (c) => c.notNull())
        .addColumn("sync_seq", "integer", (c) => c.notNull())
        .addColumn("revision", "text", (c) => c.notNull())
        .addColumn("previous_revision", "text")
        .addColumn("trigger", "text", (c) => c.notNull())
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("version", "text")
        .addColumn("images_json", json, (c) => c.notNull())
        .addColumn("source_commit", "text")
        .addColumn("run_id", "text")
        .addColumn("message", "text")
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("deployments_repo_app_sync_unique", ["repo", "app", "sync_seq"])
        .execute();
      await schema.createIndex("deployments_namespace_finished").on("deployments").columns(["namespace", "finished_at"]).execute();
    },
  };
}
