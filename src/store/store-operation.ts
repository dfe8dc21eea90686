/** Store error wrapping and transaction reuse shared by the repositories. */

import type { Kysely } from "kysely";
import { SlipwayError, describeError } from "../core/errors";
import type { Database } from "./schema";

/** Runs a store operation; any failure that is not already a SlipwayError becomes STORE_FAILED. */
export async function storeOperation<T>(name: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asStoreError(name, error);
  }
}

export function asStoreError(name: string, error: unknown): SlipwayError {
  if (error instanceof SlipwayError) return error;
  return new SlipwayError("STORE_FAILED", `store: ${name} failed: ${describeError(error)}`, { cause: error });
}

/** Runs fn in a transaction, reusing the caller's when `db` already is one (Kysely cannot nest them). */
export function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** JSON text for a JSON column: both dialects take text (Postgres casts it to jsonb). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export function parseJsonText<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  return JSON.parse(text) as T;
}
