/** Checks: one per job of a run, on the run's head commit, as GitHub's checks API reports them. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import type { Conclusion } from "../workflow/conclusions";
import type { CheckStatus, ChecksTable, Database } from "./schema";
import { storeOperation } from "./store-operation";

export interface CheckRecord {
  id: number;
  repoId: number;
  sha: string;
  name: string;
  runId: number | null;
  status: CheckStatus;
  conclusion: Conclusion | null;
  updatedAt: number;
}

function toCheck(row: Selectable<ChecksTable>): CheckRecord {
  return { id: row.id, repoId: row.repo_id, sha: row.sha, name: row.name, runId: row.run_id, status: row.status, conclusion: row.conclusion, updatedAt: row.updated_at };
}

export class CheckRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  upsertCheck(check: { repoId: number; sha: string; name: string; runId: number; status: CheckStatus; conclusion: Conclusion | null }): Promise<CheckRecord> {
    return storeOperation("upsertCheck", async () => {
      const row = await this.db
        .insertInto("checks")
        .values({ repo_id: check.repoId, sha: check.sha, name: check.name, run_id: check.runId, status: check.status, conclusion: check.conclusion, updated_at: this.clock.now() })
        .onConflict((c) => c.columns(["repo_id", "sha", "name", "run_id"]).doUpdateSet({ status: check.status, conclusion: check.conclusion, updated_at: this.clock.now() }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCheck(row);
    });
  }

  /** Checks on a commit; for a name reported by several runs, only the latest run's counts. */
  listChecks(repoId: number, sha: string): Promise<CheckRecord[]> {
    return storeOperation("listChecks", async () => {
      const rows = (await this.db.selectFrom("checks").selectAll().where("repo_id", "=", repoId).where("sha", "=", sha).orderBy("id").execute()).map(toCheck);
      const latest = new Map<string, CheckRecord>();
      for (const row of rows) {
        const seen = latest.get(row.name);
        if (!seen || (row.runId ?? 0) >= (seen.runId ?? 0)) latest.set(row.name, row);
      }
      return [...latest.values()].sort((a, b) => a.name.localeCompare(b.name));
    });
  }
}
