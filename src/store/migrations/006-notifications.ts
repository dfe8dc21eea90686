/** Migration 006: notification channels, subscriptions and durable deliveries; environment schedules, sleep overrides and sleep periods. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function notificationsSchema(dialect: SchemaDialect): Migration {
  const json = dialect.jsonType;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const schema = db.schema;
      await dialect
        .withId(schema.createTable("notification_channels"))
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("config_json", json, (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      // environment / repo null = any; events_json lists trigger names.
      await dialect
        .withId(schema.createTable("notification_subscriptions"))
        .addColumn("channel_id", "bigint", (c) => c.notNull().references("notification_channels.id").onDelete("cascade"))
        .addColumn("events_json", json, (c) => c.notNull())
        .addColumn("environment", "text")
        .addColumn("repo", "text")
        .addColumn("template_json", json)
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();

      // One row per (subscription, event) so a crash between enqueue and send loses nothing and sends nothing twice.
      await dialect
        .withId(schema.createTable("notification_deliveries"))
        .addColumn("channel_id", "bigint", (c) => c.notNull().references("notification_channels.id").onDelete("cascade"))
        .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
        .addColumn("trigger", "text", (c) => c.notNull())
        .addColumn("message_json", json, (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("finished_at", "bigint")
        .execute();
      await schema.createIndex("notification_deliveries_due").on("notification_deliveries").columns(["status", "next_attempt_at"]).execute();

      await schema
        .createTable("environment_schedules")
        .addColumn("environment", "text", (c) => c.primaryKey())
        .addColumn("uptime", "text")
        .addColumn("exclusions_json", json, (c) => c.notNull())
        .addColumn("override_state", "text")
        .addColumn("override_until", "bigint")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();

      // A sleep period: replicas are what git asked for when it began; ended_at null while asleep.
      await dialect
        .withId(schema.createTable("environment_sleeps"))
        .addColumn("environment", "text", (c) => c.notNull())
        .addColumn("replicas_json", json, (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("ended_at", "bigint")
        .execute();
      await schema.createIndex("environment_sleeps_env").on("environment_sleeps").columns(["environment", "started_at"]).execute();
    },
  };
}
