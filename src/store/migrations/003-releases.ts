/** Migration 003: releases — one row per released (repo, service, version), so a version is never recorded twice. */

import type { Kysely, Migration } from "kysely";
import type { SchemaDialect } from "./schema-dialect";

export function releasesSchema(dialect: SchemaDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await dialect
        .withId(db.schema.createTable("releases"))
        .addColumn("repo", "text", (c) => c.notNull())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("tag", "text", (c) => c.notNull())
        .addColumn("sha", "text", (c) => c.notNull())
        .addColumn("previous_version", "text")
        .addColumn("bump", "text")
        .addColumn("changelog", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addUniqueConstraint("releases_repo_service_version_unique", ["repo", "service", "version"])
        .execute();
      await db.schema.createIndex("releases_repo_tag").on("releases").columns(["repo", "tag"]).execute();
    },
  };
}
