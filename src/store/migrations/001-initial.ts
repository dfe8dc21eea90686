/** Migration 001: runs, jobs, steps, log chunks, annotations and the append-only event log. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function initialSchema(dialect: SchemaDialect): Migration {
  const json = dialect.jsonType;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const schema = db.schema;

      await dialect
        .withId(schema.createTable("runs"))
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("workflow_file", "text", (c) => c.notNull())
        .addColumn("workflow_name", "text", (c) => c.notNull())
        .addColumn("run_number", "bigint", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("ref", "text", (c) => c.notNull())
        .addColumn("sha", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("inputs_json", json, (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("conclusion", "text")
        .addColumn("error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("started_at", "bigint")
        .addColumn("completed_at", "bigint")
        .addUniqueConstraint("runs_repo_workflow_number_unique", ["repo", "workflow_file", "run_number"])
        .execute();
      await schema.createIndex("runs_repo_id").on("runs").columns(["repo", "id"]).execute();
      await schema.createIndex("runs_status_id").on("runs").columns(["status", "id"]).execute();

      // A counter row per workflow: an atomic upsert hands out run numbers without read-then-insert races.
      await schema
        .createTable("run_counters")
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("workflow_file", "text", (c) => c.notNull())
        .addColumn("last_run_number", "bigint", (c) => c.notNull())
        .addPrimaryKeyConstraint("run_counters_pk", ["repo", "workflow_file"])
        .execute();

      await dialect
        .withId(schema.createTable("jobs"))
        .addColumn("run_id", "bigint", (c) => c.notNull().references("runs.id").onDelete("cascade"))
        .addColumn("job_id", "text", (c) => c.notNull())
        .addColumn("job_key", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("matrix_json", json)
        .addColumn("needs_json", json, (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("conclusion", "text")
        .addColumn("outputs_json", json, (c) => c.notNull())
        .addColumn("environment", "text")
        .addColumn("started_at", "bigint")
        .addColumn("completed_at", "bigint")
        .addColumn("error", "text")
        .addColumn("last_log_seq", "bigint", (c) => c.notNull().defaultTo(0))
        .addUniqueConstraint("jobs_run_key_unique", ["run_id", "job_key"])
        .execute();
      await schema.createIndex("jobs_status").on("jobs").column("status").execute();

      await dialect
        .withId(schema.createTable("steps"))
        .addColumn("job_id", "bigint", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
        .addColumn("number", "integer", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("conclusion", "text")
        .addColumn("outcome", "text")
        .addColumn("outputs_json", json, (c) => c.notNull())
        .addColumn("started_at", "bigint")
        .addColumn("completed_at", "bigint")
        .addUniqueConstraint("steps_job_number_unique", ["job_id", "number"])
        .execute();
      await schema.createIndex("steps_status").on("steps").column("status").execute();

      await dialect
        .withId(schema.createTable("log_chunks"))
        .addColumn("job_id", "bigint", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
        .addColumn("step_number", "integer")
        .addColumn("seq", "bigint", (c) => c.notNull())
        .addColumn("content", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("log_chunks_job_seq_unique", ["job_id", "seq"])
        .execute();

      await dialect
        .withId(schema.createTable("annotations"))
        .addColumn("job_id", "bigint", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
        .addColumn("step_number", "integer")
        .addColumn("level", "text", (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("file", "text")
        .addColumn("line", "integer")
        .addColumn("col", "integer")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await schema.createIndex("annotations_job_id").on("annotations").columns(["job_id", "id"]).execute();

      await dialect
        .withId(schema.createTable("events"))
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("payload_json", json, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await schema.createIndex("events_subject_id").on("events").columns(["subject", "id"]).execute();
      await schema.createIndex("events_type_id").on("events").columns(["type", "id"]).execute();
      await dialect.makeAppendOnly(db, "events");
    },
  };
}
