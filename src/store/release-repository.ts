/** Release records: one per (repo, service, version); recording the same release again is a no-op, reusing a version an error. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { Database, ReleasesTable } from "./schema";
import { storeOperation } from "./store-operation";

export interface NewRelease {
  /** `owner/name`. */
  repo: string;
  service: string;
  version: string;
  tag: string;
  /** The tagged commit. */
  sha: string;
  previousVersion: string | null;
  /** major, minor, patch or initial; null when unknown. */
  bump: string | null;
  changelog: string;
}

export interface ReleaseRecord extends NewRelease {
  id: number;
  createdAt: number;
}

function toRelease(row: Selectable<ReleasesTable>): ReleaseRecord {
  return {
    id: Number(row.id),
    repo: row.repo,
    service: row.service,
    version: row.version,
    tag: row.tag,
    sha: row.sha,
    previousVersion: row.previous_version,
    bump: row.bump,
    changelog: row.changelog,
    createdAt: Number(row.created_at),
  };
}

export class ReleaseRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /**
   * Records a release once: the same version at the same commit again returns the first record (`created`
   * false); the same version at another commit is RELEASE_CONFLICT (a version is never reused).
   */
  record(release: NewRelease): Promise<{ release: ReleaseRecord; created: boolean }> {
    return storeOperation("recordRelease", async () => {
      const inserted = await this.db
        .insertInto("releases")
        .values({
          repo: release.repo, service: release.service, version: release.version, tag: release.tag, sha: release.sha,
          previous_version: release.previousVersion, bump: release.bump, changelog: release.changelog, created_at: this.clock.now(),
        })
        .onConflict((c) => c.columns(["repo", "service", "version"]).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { release: toRelease(inserted), created: true };
      const existing = await this.db.selectFrom("releases").selectAll()
        .where("repo", "=", release.repo).where("service", "=", release.service).where("version", "=", release.version)
        .executeTakeFirstOrThrow();
      if (existing.sha !== release.sha) {
        throw new SlipwayError("RELEASE_CONFLICT", `${release.repo}: ${release.service || "release"} ${release.version} was released at ${existing.sha.slice(0, 7)} (${existing.tag}); a version is never reused.`);
      }
      return { release: toRelease(existing), created: false };
    });
  }

  /** Newest first; one service's when `service` is given (`""` is a single-service repository's). */
  list(query: { repo: string; service?: string; limit?: number }): Promise<ReleaseRecord[]> {
    return storeOperation("listReleases", async () => {
      let select = this.db.selectFrom("releases").selectAll().where("repo", "=", query.repo);
      if (query.service !== undefined) select = select.where("service", "=", query.service);
      const rows = await select.orderBy("id", "desc").limit(query.limit ?? 100).execute();
      return rows.map(toRelease);
    });
  }

  findByTag(repo: string, tag: string): Promise<ReleaseRecord | undefined> {
    return storeOperation("findReleaseByTag", async () => {
      const row = await this.db.selectFrom("releases").selectAll().where("repo", "=", repo).where("tag", "=", tag).orderBy("id", "desc").executeTakeFirst();
      return row ? toRelease(row) : undefined;
    });
  }
}
