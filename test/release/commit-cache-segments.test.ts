/**
 * Appending to the release commit cache: a run that only adds commits appends a segment instead of rewriting the
 * file; damaged tails, foreign bases and too many segments lead to a rewrite; the commits beyond the cache's tips
 * can come from the refs batch. Every read is checked against plain `git log`.
 */

import { appendFile, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readCacheHint, readCommitCache } from "../../src/release/commit-cache-file";
import { newCommitsRange, preloadCommitCache, readHistoryCached, releaseCacheFile } from "../../src/release/commit-cache";
import { readHistory, type HistoryRange } from "../../src/release/git-history";
import { readRepositoryFacts } from "../../src/release/git-refs";
import { readHeadFromFiles } from "../../src/release/head-file";
import { planRelease } from "../../src/release";
import { GitRepo } from "../support/git-repo";

const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
});

/** A repository with `count` commits after a tagged root, and a warm cache for HEAD. */
async function warmRepo(count: number): Promise<{ repo: GitRepo; file: string; range: () => Promise<HistoryRange> }> {
  const repo = await GitRepo.create("slipway-cache-segments-");
  repos.push(repo);
  await repo.writeFiles({ "README.md": "root" });
  await repo.commitAll("chore: root");
  await repo.tag("v1.0.0");
  for (let i = 0; i < count; i += 1) {
    await repo.writeFiles({ [`src/file-${i}.ts`]: `export const v = ${i};` });
    await repo.commitAll(`feat: change ${i}`);
  }
  const file = releaseCacheFile(join(repo.dir, ".git"));
  const range = async (): Promise<HistoryRange> => ({ head: await repo.sha("HEAD"), exclude: [await repo.sha("v1.0.0")], withFiles: true });
  expect((await readHistoryCached(repo.dir, await range(), { file })).outcome).toBe("cold");
  return { repo, file, range };
}

async function expectSameAsGit(repo: GitRepo, range: HistoryRange, file: string): Promise<string> {
  const cached = await readHistoryCached(repo.dir, range, { file });
  const plain = await readHistory(repo.dir, range);
  expect(cached.commits.map((c) => c.sha)).toEqual(plain.map((c) => c.sha));
  expect(cached.commits.map((c) => c.files)).toEqual(plain.map((c) => c.files));
  return cached.outcome;
}

async function commit(repo: GitRepo, name: string): Promise<void> {
  await repo.writeFiles({ [`src/${name}.ts`]: name });
  await repo.commitAll(`fix: ${name}`);
}

describe("release commit cache segments", () => {
  it("appends the new commits as a segment: same inode, a few hundred bytes, every commit read back", async () => {
    const { repo, file, range } = await warmRepo(30);
    const before = await stat(file);
    await commit(repo, "next");
    expect(await expectSameAsGit(repo, await range(), file)).toBe("extended");
    const after = await stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.size - before.size).toBeGreaterThan(0);
    expect(after.size - before.size).toBeLessThan(1024);
    const read = await readCommitCache(file);
    expect([read?.commits.size, read?.file?.segments, read?.file?.appended, read?.file?.torn]).toEqual([31, 1, 1, false]);
    expect(read?.tips[0]).toBe(await repo.sha("HEAD"));
    expect(await expectSameAsGit(repo, await range(), file)).toBe("hit");
  });

  it("ignores a torn or damaged tail, keeps the whole segments before it, and rewrites the file on the next write", async () => {
    const { repo, file, range } = await warmRepo(10);
    await commit(repo, "a");
    await expectSameAsGit(repo, await range(), file);
    const whole = await readFile(file);
    await appendFile(file, "segment 9999 crc32:00000000\nshort");
    const torn = await readCommitCache(file);
    expect([torn?.commits.size, torn?.file?.segments, torn?.file?.torn]).toEqual([11, 1, true]);
    expect(await expectSameAsGit(repo, await range(), file)).toBe("hit");
    await commit(repo, "b");
    const inode = (await stat(file)).ino;
    expect(await expectSameAsGit(repo, await range(), file)).toBe("extended");
    expect((await stat(file)).ino).not.toBe(inode);
    const rewritten = await readCommitCache(file);
    expect([rewritten?.commits.size, rewritten?.file?.segments, rewritten?.file?.torn]).toEqual([12, 0, false]);
    // A flipped byte inside a segment: that segment and any after it are left out, the base still serves.
    const flipped = Buffer.from(whole);
    flipped[flipped.length - 3] ^= 0x01;
    await writeFile(file, flipped);
    const damaged = await readCommitCache(file);
    expect([damaged?.commits.size, damaged?.file?.segments, damaged?.file?.torn]).toEqual([10, 0, true]);
  });

  it("does not append to a base rewritten byte for byte since it was read: the segments it read may be gone", async () => {
    const { repo, file, range } = await warmRepo(5);
    const base = await readFile(file);
    await commit(repo, "x");
    const x = await repo.sha("HEAD");
    await expectSameAsGit(repo, await range(), file);
    // This run read the base and the segment holding x; then another run put an identical base back in place.
    const read = await readCommitCache(file);
    expect(read?.commits.has(x)).toBe(true);
    await writeFile(file, base);
    await commit(repo, "y");
    const next = await readHistoryCached(repo.dir, await range(), { file, stored: Promise.resolve(read) });
    expect(next.outcome).toBe("extended");
    // Rewritten whole instead: x, which y's segment would have hung from, is in the file.
    const after = await readCommitCache(file);
    expect([after?.commits.has(x), after?.file?.segments]).toEqual([true, 0]);
    expect(await expectSameAsGit(repo, await range(), file)).toBe("hit");
  });

  it("folds the segments into a new base after 32 of them", async () => {
    const { repo, file, range } = await warmRepo(3);
    const segments: number[] = [];
    for (let i = 0; i < 34; i += 1) {
      await commit(repo, `s${i}`);
      await expectSameAsGit(repo, await range(), file);
      segments.push((await readCommitCache(file))?.file?.segments ?? -1);
    }
    expect(segments.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(segments.slice(32)).toEqual([0, 1]);
    expect((await readCommitCache(file))?.commits.size).toBe(37);
  });

  it("merges concurrent appends of the same and of different commits", async () => {
    const { repo, file } = await warmRepo(5);
    const tag = await repo.sha("v1.0.0");
    await repo.branch("side");
    await commit(repo, "main-1");
    const mainHead = await repo.sha("HEAD");
    await repo.switchTo("side");
    await commit(repo, "side-1");
    await commit(repo, "side-2");
    const sideHead = await repo.sha("HEAD");
    const heads = [mainHead, sideHead, mainHead, sideHead, mainHead, sideHead];
    const plain = await Promise.all([mainHead, sideHead].map((head) => readHistory(repo.dir, { head, exclude: [tag], withFiles: true })));
    const runs = await Promise.all(heads.map((head) => readHistoryCached(repo.dir, { head, exclude: [tag], withFiles: true }, { file })));
    runs.forEach((run, i) => expect(run.commits.map((c) => c.sha)).toEqual(plain[i % 2].map((c) => c.sha)));
    const read = await readCommitCache(file);
    expect(read?.commits.size).toBe(8);
    expect(read?.file?.torn).toBe(false);
    for (const head of [mainHead, sideHead]) expect(await expectSameAsGit(repo, { head, exclude: [tag], withFiles: true }, file)).toBe("hit");
  });

  it("lists no new commits along with the refs when HEAD, read from the files, is a cached tip", async () => {
    const { repo } = await warmRepo(3);
    expect(newCommitsRange(repo.dir, preloadCommitCache(repo.dir, true), "HEAD")).toBeUndefined();
    await commit(repo, "moved");
    expect(newCommitsRange(repo.dir, preloadCommitCache(repo.dir, true), "HEAD")?.heads).toEqual(["HEAD"]);
    // Once a run appended it, the hint reads the segment's tips: a second release on this HEAD asks git for nothing.
    await readHistoryCached(repo.dir, { head: await repo.sha("HEAD"), exclude: [await repo.sha("v1.0.0")], withFiles: true }, { file: releaseCacheFile(join(repo.dir, ".git")) });
    expect((await readCommitCache(releaseCacheFile(join(repo.dir, ".git"))))?.file?.segments).toBe(1);
    expect(newCommitsRange(repo.dir, preloadCommitCache(repo.dir, true), "HEAD")).toBeUndefined();
    expect(newCommitsRange(repo.dir, preloadCommitCache(repo.dir, false), "HEAD")).toBeUndefined();
  });

  it("reads HEAD from loose and packed refs, detached and bare, and gives up on anything else", async () => {
    const { repo } = await warmRepo(1);
    const head = await repo.sha("HEAD");
    expect(readHeadFromFiles(repo.dir)).toBe(head);
    await repo.git("pack-refs", "--all");
    expect(readHeadFromFiles(repo.dir)).toBe(head);
    const bare = join(repo.root, "bare.git");
    await repo.git("clone", "--quiet", "--bare", repo.dir, bare);
    expect(readHeadFromFiles(bare)).toBe(head);
    await repo.git("checkout", "--quiet", "--detach", "HEAD~1");
    expect(readHeadFromFiles(repo.dir)).toBe(await repo.sha("HEAD"));
    await writeFile(join(repo.dir, ".git", "HEAD"), "ref: refs/heads/../../config\n");
    expect(readHeadFromFiles(repo.dir)).toBeUndefined();
    expect(readHeadFromFiles(join(repo.root, "missing"))).toBeUndefined();
  });

  it("takes the new commits from the refs batch when everything git was told to leave out is in the cache read", async () => {
    const { repo, file, range } = await warmRepo(8);
    await commit(repo, "one");
    await commit(repo, "two");
    const hint = readCacheHint(file);
    expect(hint?.withFiles).toBe(true);
    const beyondBase = newCommitsRange(repo.dir, preloadCommitCache(repo.dir, true), "HEAD");
    const facts = await readRepositoryFacts(repo.dir, "HEAD", false, beyondBase);
    expect(facts.logged?.map((c) => c.sha)).toEqual([await repo.sha("HEAD"), await repo.sha("HEAD~1")]);
    const prefetched = { header: hint?.header ?? "", head: facts.headSha, not: beyondBase?.not ?? [], commits: facts.logged ?? [] };
    // Another base (the header differs), or a tip the cache read does not hold: not trusted, git is asked again.
    const foreign = await readHistoryCached(repo.dir, await range(), { file, prefetched: { ...prefetched, header: "another base" } });
    expect([foreign.outcome, foreign.loaded]).toEqual(["extended", 2]);
    await commit(repo, "three");
    const head = await repo.sha("HEAD");
    // The hint now has the tips of the segment the run above appended: git lists just the new commit.
    const beyondSegment = newCommitsRange(repo.dir, preloadCommitCache(repo.dir, true), "HEAD");
    expect(beyondSegment?.not).toContain(await repo.sha("HEAD~1"));
    expect((await readRepositoryFacts(repo.dir, "HEAD", false, beyondSegment)).logged?.map((c) => c.sha)).toEqual([head]);
    // Listed beyond the base's tips instead (the segment's commits again, harmlessly): three commits, none from git.
    const listed = (await readRepositoryFacts(repo.dir, "HEAD", false, beyondBase)).logged ?? [];
    expect(listed).toHaveLength(3);
    const unknownTip = await readHistoryCached(repo.dir, await range(), { file, prefetched: { ...prefetched, head, not: ["0".repeat(40)], commits: listed } });
    expect([unknownTip.outcome, unknownTip.loaded]).toEqual(["extended", 1]);
    await commit(repo, "four");
    const fourHead = await repo.sha("HEAD");
    const fourListed = (await readRepositoryFacts(repo.dir, "HEAD", false, beyondBase)).logged ?? [];
    const fromBatch = await readHistoryCached(repo.dir, await range(), { file, prefetched: { ...prefetched, head: fourHead, commits: fourListed } });
    // git streamed nothing more: the four listed commits are what was loaded (asking git would have listed one).
    expect([fromBatch.outcome, fromBatch.loaded]).toEqual(["extended", 4]);
    expect(fromBatch.commits.map((c) => c.sha)).toEqual((await readHistory(repo.dir, await range())).map((c) => c.sha));
    expect((await readCommitCache(file))?.commits.size).toBe(12);
    const plans = await planRelease(repo.dir, { rootServiceName: "demo" });
    expect(plans[0]).toMatchObject({ previousVersion: "1.0.0", nextVersion: "1.1.0" });
    expect(plans[0].commits).toHaveLength(12);
  });
});
