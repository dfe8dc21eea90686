/** The few schema differences between SQLite and Postgres, so one migration file serves both. */

import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from "kysely";
import type { StoreDialect } from "../schema";

export interface SchemaDialect {
  readonly name: StoreDialect;
  /** jsonb on Postgres (queryable, validated on write), text on SQLite. */
  readonly jsonType: "jsonb" | "text";
  /** Adds `id` as an auto-increment primary key that is never reused. */
  withId<TB extends string>(table: CreateTableBuilder<TB, never>): CreateTableBuilder<TB, "id">;
  /** Makes UPDATE and DELETE on the table fail, so history can only grow. */
  makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void>;
}

const sqliteSchema: SchemaDialect = {
  name: "sqlite",
  jsonType: "text",
  withId: (table) =>
    // INTEGER PRIMARY KEY AUTOINCREMENT: the rowid alias, never reused after deletes.
    table.addColumn("id", "integer", (column: ColumnDefinitionBuilder) => column.primaryKey().autoIncrement()),
  async makeAppendOnly(db, table) {
    for (const operation of ["update", "delete"]) {
      await sql
        .raw(
          `create trigger if not exists ${table}_no_${operation} before ${operation} on ${table} ` +
            `begin select raise(abort, '${table} is append-only'); end`,
        )
        .execute(db);
    }
  },
};

const postgresSchema: SchemaDialect = {
  name: "postgres",
  jsonType: "jsonb",
  withId: (table) =>
    table.addColumn("id", "bigint", (column: ColumnDefinitionBuilder) => column.primaryKey().generatedByDefaultAsIdentity()),
  async makeAppendOnly(db, table) {
    await sql
      .raw(
        `create or replace function slipway_reject_change() returns trigger language plpgsql as $$ ` +
          `begin raise exception '% is append-only', TG_TABLE_NAME; end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_append_only before update or delete on ${table} ` +
          `for each row execute function slipway_reject_change()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_no_truncate before truncate on ${table} ` +
          `for each statement execute function slipway_reject_change()`,
      )
      .execute(db);
  },
};

export function schemaDialect(name: StoreDialect): SchemaDialect {
  return name === "postgres" ? postgresSchema : sqliteSchema;
}
