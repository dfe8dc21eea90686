/** Store suite cases for release records: idempotent on the same commit, a version never reused, lists and tag lookup. */

import { expect, it } from "vitest";
import type { NewRelease } from "../../src/store/index";
import { uniqueRepo, type StoreTestContext } from "./store-fixtures";

function newRelease(repo: string, overrides: Partial<NewRelease> = {}): NewRelease {
  return {
    repo, service: "api", version: "1.1.0", tag: "api/v1.1.0", sha: "a".repeat(40),
    previousVersion: "1.0.0", bump: "minor", changelog: "## 1.1.0\n\n### Features\n\n* thing\n", ...overrides,
  };
}

export function describeReleaseCases(ctx: StoreTestContext): void {
  it("records a release with every field, and the same release again makes no second record", async () => {
    const repo = uniqueRepo("release");
    const first = await ctx.store.releases.record(newRelease(repo));
    expect(first.created).toBe(true);
    expect(first.release).toMatchObject({ ...newRelease(repo), createdAt: ctx.clock.now() });
    const again = await ctx.store.releases.record({ ...newRelease(repo), changelog: "rendered on another day" });
    expect(again).toEqual({ release: first.release, created: false });
    expect(await ctx.store.releases.list({ repo })).toHaveLength(1);
  });

  it("never reuses a version: the same version at another commit is RELEASE_CONFLICT", async () => {
    const repo = uniqueRepo("release-reuse");
    await ctx.store.releases.record(newRelease(repo));
    await expect(ctx.store.releases.record(newRelease(repo, { sha: "b".repeat(40) }))).rejects.toMatchObject({ code: "RELEASE_CONFLICT" });
    // Other services and repositories have versions of their own.
    expect((await ctx.store.releases.record(newRelease(repo, { service: "web", tag: "web/v1.1.0", sha: "b".repeat(40) }))).created).toBe(true);
    expect((await ctx.store.releases.record(newRelease(uniqueRepo("release-other")))).created).toBe(true);
  });

  it("records concurrent runs of the same release once", async () => {
    const repo = uniqueRepo("release-race");
    const results = await Promise.all(Array.from({ length: 8 }, () => ctx.store.releases.record(newRelease(repo))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.release.id)).size).toBe(1);
  });

  it("lists a repository's releases newest first, by service, and finds one by tag", async () => {
    const repo = uniqueRepo("release-list");
    await ctx.store.releases.record(newRelease(repo, { version: "1.0.0", tag: "api/v1.0.0", previousVersion: null, bump: "initial", sha: "1".repeat(40) }));
    await ctx.store.releases.record(newRelease(repo, { service: "web", version: "0.1.0", tag: "web/v0.1.0", previousVersion: null, bump: "initial" }));
    await ctx.store.releases.record(newRelease(repo, { sha: "2".repeat(40) }));
    expect((await ctx.store.releases.list({ repo })).map((r) => r.tag)).toEqual(["api/v1.1.0", "web/v0.1.0", "api/v1.0.0"]);
    expect((await ctx.store.releases.list({ repo, service: "api" })).map((r) => r.version)).toEqual(["1.1.0", "1.0.0"]);
    expect((await ctx.store.releases.list({ repo, limit: 1 })).map((r) => r.tag)).toEqual(["api/v1.1.0"]);
    expect(await ctx.store.releases.findByTag(repo, "web/v0.1.0")).toMatchObject({ service: "web", version: "0.1.0", bump: "initial", previousVersion: null });
    expect(await ctx.store.releases.findByTag(repo, "web/v9.9.9")).toBeUndefined();
    expect(await ctx.store.releases.findByTag(uniqueRepo("release-none"), "api/v1.1.0")).toBeUndefined();
  });

  it("keeps a release recorded inside a transaction only when it commits", async () => {
    const repo = uniqueRepo("release-trx");
    await expect(
      ctx.store.transaction(async (session) => {
        await session.releases.record(newRelease(repo));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await ctx.store.releases.list({ repo })).toEqual([]);
  });
}
