/** The release commit cache against plain `git log`: hits, misses, other branches, corruption, force-pushes, concurrency, bounds. */

import { execFile } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { readCommitCache } from "../../src/release/commit-cache-file";
import { readHistoryCached, releaseCacheFile } from "../../src/release/commit-cache";
import { readHistory, type HistoryRange } from "../../src/release/git-history";
import { planRelease } from "../../src/release";
import { GitRepo } from "../support/git-repo";

const run = promisify(execFile);
const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
});

interface Node {
  id: string;
  parents?: string[];
  /** Committer time (epoch seconds); equal times make git fall back to the order it meets commits. */
  time?: number;
  message?: string;
  /** The file the commit writes (default: one of its own under services/<id % 2 ? api : web>/). */
  file?: string;
}

/** A repository built with fast-import from a commit graph; refs name commits by id. */
async function graphRepo(nodes: Node[], refs: Record<string, string>): Promise<{ repo: GitRepo; sha: (id: string) => Promise<string> }> {
  const repo = await GitRepo.create("slipway-cache-");
  repos.push(repo);
  const marks = new Map<string, number>();
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const parts = nodes.map((node, index) => {
    if (index > 0 && !node.parents?.length) throw new Error("one root: the first node");
    marks.set(node.id, index + 1);
    const [first, ...merged] = (node.parents ?? []).map((id) => `:${marks.get(id)}`);
    const file = node.file ?? `services/${index % 2 ? "api" : "web"}/${node.id}.txt`;
    const message = node.message ?? `feat: ${node.id}`;
    return [
      `commit refs/heads/build\nmark :${index + 1}\ncommitter T <t@example.com> ${node.time ?? 1_700_000_000} +0000\n${data(message)}`,
      first ? `from ${first}\n` : "",
      ...merged.map((mark) => `merge ${mark}\n`),
      `M 644 inline ${file}\n${data(node.id)}`,
    ].join("");
  });
  for (const [ref, id] of Object.entries(refs)) parts.push(`reset ${ref}\nfrom :${marks.get(id)}\n`);
  const marksFile = join(repo.root, "marks");
  const child = execFile("git", ["fast-import", "--quiet", `--export-marks=${marksFile}`], { cwd: repo.dir });
  child.stdin?.end(parts.join(""));
  await new Promise((resolve, reject) => child.once("close", (code) => (code === 0 ? resolve(code) : reject(new Error(`fast-import exit ${code}`)))));
  await repo.git("update-ref", "-d", "refs/heads/build");
  if (refs["refs/heads/main"]) await repo.git("reset", "--hard", "--quiet", "main");
  const byMark = new Map((await readFile(marksFile, "utf8")).split("\n").filter(Boolean).map((line) => line.split(" ") as [string, string]));
  const sha = async (id: string): Promise<string> => byMark.get(`:${marks.get(id)}`) ?? Promise.reject(new Error(`no commit ${id}`));
  return { repo, sha };
}

const cacheFile = (repo: GitRepo): string => releaseCacheFile(join(repo.dir, ".git"));
const shas = (commits: { sha: string }[]): string[] => commits.map((commit) => commit.sha);

/** The cached read must give exactly what git log gives, in the same order. */
async function expectSameAsGit(repo: GitRepo, range: HistoryRange, options: { maxCommits?: number } = {}): Promise<string> {
  const cached = await readHistoryCached(repo.dir, range, { file: cacheFile(repo), ...options });
  const plain = await readHistory(repo.dir, range);
  expect(shas(cached.commits)).toEqual(shas(plain));
  // A cache with changed paths serves a run that needs none: it may carry them, it never lacks them.
  if (range.withFiles) expect(cached.commits.map((c) => c.files)).toEqual(plain.map((c) => c.files));
  return cached.outcome;
}

/** A linear main line m0..m(n-1), one second apart. */
function line(prefix: string, count: number, from?: string, start = 1_700_000_000): Node[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, parents: i === 0 ? (from ? [from] : []) : [`${prefix}${i - 1}`], time: start + i }));
}

describe("release commit cache", () => {
  it("misses, then hits without asking git for commits, then extends by the new commits only", async () => {
    const { repo, sha } = await graphRepo(line("m", 6), { "refs/heads/main": "m5", "refs/tags/v1.0.0": "m1" });
    const range = { head: await sha("m5"), exclude: [await sha("m1")], withFiles: true };
    expect(await expectSameAsGit(repo, range)).toBe("cold");
    const hit = await readHistoryCached(repo.dir, range, { file: cacheFile(repo) });
    expect([hit.outcome, hit.loaded, hit.written]).toEqual(["hit", 0, false]);
    await repo.writeFiles({ "services/api/new.txt": "new" });
    const next = await repo.commitAll("fix(api): after the cache");
    const extended = await readHistoryCached(repo.dir, { ...range, head: next }, { file: cacheFile(repo) });
    expect([extended.outcome, extended.loaded]).toEqual(["extended", 1]);
    expect(shas(extended.commits)).toEqual(shas(await readHistory(repo.dir, { ...range, head: next })));
  });

  it("walks merges with equal commit times in git's order, for every head and boundary", async () => {
    // Two branches and merges, most commits in the same second: git orders ties by the order it meets them.
    const nodes: Node[] = [
      { id: "a" }, { id: "b", parents: ["a"] }, { id: "c", parents: ["b"] }, { id: "f1", parents: ["b"] },
      { id: "f2", parents: ["f1"], time: 1_700_000_005 }, { id: "d", parents: ["c"], time: 1_699_999_000 },
      { id: "m1", parents: ["d", "f2"] }, { id: "g1", parents: ["c"] }, { id: "g2", parents: ["g1"] },
      { id: "m2", parents: ["m1", "g2"], time: 1_700_000_010 }, { id: "e", parents: ["m2"] }, { id: "h", parents: ["f2"] },
    ];
    const ids = nodes.map((node) => node.id);
    const { repo, sha } = await graphRepo(nodes, Object.fromEntries(ids.map((id) => [`refs/tags/at-${id}`, id])));
    // One cache across all queries: each must be exact whatever earlier queries left in it.
    for (const [head, exclude] of [["e", []], ["e", ["b"]], ["m2", ["f2"]], ["h", ["c"]], ["e", ["g1"]], ["m1", ["a"]], ["e", ["h"]], ["g2", ["f1"]], ["e", ["e"]], ["c", ["e"]]]) {
      const range = { head: await sha(head as string), exclude: await Promise.all((exclude as string[]).map(sha)), withFiles: true };
      await expectSameAsGit(repo, range);
    }
  });

  it("serves another branch's history from a cache built on main, and lowers its bottom for an older boundary", async () => {
    const nodes = [...line("m", 8), ...line("f", 3, "m3", 1_700_000_100)];
    const { repo, sha } = await graphRepo(nodes, { "refs/heads/main": "m7", "refs/heads/feature": "f2", "refs/tags/v1.1.0": "m5", "refs/tags/v1.0.0": "m1" });
    expect(await expectSameAsGit(repo, { head: await sha("m7"), exclude: [await sha("m5")], withFiles: true })).toBe("cold");
    // The feature branch forked below main's boundary: its boundary is the older tag.
    expect(await expectSameAsGit(repo, { head: await sha("f2"), exclude: [await sha("m1")], withFiles: true })).toBe("lowered");
    expect(await expectSameAsGit(repo, { head: await sha("m7"), exclude: [await sha("m5")], withFiles: true })).toBe("hit");
    expect(await expectSameAsGit(repo, { head: await sha("f2"), exclude: [await sha("m1")], withFiles: true })).toBe("hit");
    expect(await expectSameAsGit(repo, { head: await sha("f2"), exclude: [], withFiles: true })).toBe("lowered");
    expect((await readCommitCache(cacheFile(repo)))?.bottoms).toEqual([]);
  });

  it("rebuilds a truncated, corrupted, foreign or empty cache file silently", async () => {
    const { repo, sha } = await graphRepo(line("m", 5), { "refs/heads/main": "m4", "refs/tags/v1.0.0": "m0" });
    const range = { head: await sha("m4"), exclude: [await sha("m0")], withFiles: true };
    await expectSameAsGit(repo, range);
    const good = await readFile(cacheFile(repo));
    const flipped = Buffer.from(good);
    flipped[flipped.length - 20] ^= 0x01;
    const damaged = [good.subarray(0, good.length - 7), flipped, Buffer.from("not a cache"), Buffer.alloc(0), Buffer.from(good.toString().replace(/ v\d+ /, " v0 "))];
    for (const bytes of damaged) {
      await writeFile(cacheFile(repo), bytes);
      expect(await readCommitCache(cacheFile(repo))).toBeUndefined();
      expect(await expectSameAsGit(repo, range)).toBe("cold");
      expect((await readCommitCache(cacheFile(repo)))?.commits.size).toBe(4);
    }
  });

  it("ignores commits a force-push left unreachable, also once git has pruned them", async () => {
    const nodes = [...line("m", 6), ...line("r", 3, "m2", 1_700_000_200)];
    const { repo, sha } = await graphRepo(nodes, { "refs/heads/main": "m5", "refs/heads/rewritten": "r2", "refs/tags/v1.0.0": "m1" });
    const tag = await sha("m1");
    const rewritten = await sha("r2");
    await expectSameAsGit(repo, { head: await sha("m5"), exclude: [tag], withFiles: true });
    // Force-push: main now points at the rewritten line; m3..m5 stay in the cache, unused.
    await repo.git("reset", "--hard", "--quiet", rewritten);
    await repo.git("branch", "-D", "rewritten");
    expect(await expectSameAsGit(repo, { head: rewritten, exclude: [tag], withFiles: true })).toBe("extended");
    await repo.git("reflog", "expire", "--expire=now", "--all");
    await repo.git("gc", "--quiet", "--prune=now");
    await repo.writeFiles({ "x.txt": "x" });
    const next = await repo.commitAll("fix: after gc");
    // The cache's tips include pruned commits: git refuses them, the run starts over from its own range.
    expect(await expectSameAsGit(repo, { head: next, exclude: [tag], withFiles: true })).toMatch(/^(cold|extended)$/);
    expect(await expectSameAsGit(repo, { head: next, exclude: [tag], withFiles: true })).toBe("hit");
  });

  it("survives concurrent runs: every run is right and the file is whole afterwards", async () => {
    const { repo, sha } = await graphRepo(line("m", 40), { "refs/heads/main": "m39", "refs/tags/v1.0.0": "m3" });
    const heads = await Promise.all(["m39", "m30", "m20", "m10"].map(sha));
    const tag = await sha("m3");
    const plain = await Promise.all(heads.map((head) => readHistory(repo.dir, { head, exclude: [tag], withFiles: true })));
    const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => readHistoryCached(repo.dir, { head: heads[i % 4], exclude: [tag], withFiles: true }, { file: cacheFile(repo) })));
    runs.forEach((result, i) => expect(shas(result.commits)).toEqual(shas(plain[i % 4])));
    expect(await readCommitCache(cacheFile(repo))).toBeDefined();
    expect((await readdir(join(repo.dir, ".git", "slipway", "release-cache"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("stays within its bound by cutting back to the run's range", async () => {
    const { repo, sha } = await graphRepo(line("m", 30), { "refs/heads/main": "m29", "refs/tags/v1.0.0": "m19" });
    await expectSameAsGit(repo, { head: await sha("m29"), exclude: [], withFiles: true }, { maxCommits: 100 });
    expect((await readCommitCache(cacheFile(repo)))?.commits.size).toBe(30);
    await expectSameAsGit(repo, { head: await sha("m29"), exclude: [await sha("m19")], withFiles: true }, { maxCommits: 20 });
    // A hit writes nothing: still the 30 commits of the first run.
    const hit = await readCommitCache(cacheFile(repo));
    expect([hit?.commits.size, hit?.bottoms]).toEqual([30, []]);
    await repo.writeFiles({ "y.txt": "y" });
    const next = await repo.commitAll("fix: one more");
    await expectSameAsGit(repo, { head: next, exclude: [await sha("m19")], withFiles: true }, { maxCommits: 20 });
    // 31 commits are over the bound of 20: the cache is cut back to the run's range, its boundary the bottom.
    const bounded = await readCommitCache(cacheFile(repo));
    expect([bounded?.commits.size, bounded?.bottoms]).toEqual([11, [await sha("m19")]]);
  });

  it("rebuilds a cache without changed paths when a monorepo needs them", async () => {
    const { repo, sha } = await graphRepo(line("m", 4), { "refs/heads/main": "m3" });
    await expectSameAsGit(repo, { head: await sha("m3"), exclude: [], withFiles: false });
    expect((await readCommitCache(cacheFile(repo)))?.withFiles).toBe(false);
    expect(await expectSameAsGit(repo, { head: await sha("m3"), exclude: [], withFiles: true })).toBe("cold");
    expect((await readCommitCache(cacheFile(repo)))?.withFiles).toBe(true);
    expect(await expectSameAsGit(repo, { head: await sha("m3"), exclude: [], withFiles: false })).toBe("hit");
  });

  it("works in a bare repository (the server's), keeping the cache in it", async () => {
    const { repo } = await graphRepo(line("m", 5, undefined), { "refs/heads/main": "m4", "refs/tags/v1.0.0": "m1" });
    const bare = join(repo.root, "bare.git");
    await run("git", ["clone", "--quiet", "--bare", repo.dir, bare]);
    const first = await planRelease(bare, { rootServiceName: "demo" });
    expect(await readCommitCache(releaseCacheFile(bare))).toBeDefined();
    expect(await planRelease(bare, { rootServiceName: "demo" })).toEqual(first);
    expect(first[0]).toMatchObject({ previousVersion: "1.0.0", nextVersion: "1.1.0" });
  });

  it("is shared by clones that borrow their objects (a workflow's checkout): the next run's fresh clone finds it warm", async () => {
    const { repo } = await graphRepo(line("m", 5, undefined), { "refs/heads/main": "m4", "refs/tags/v1.0.0": "m1" });
    const bare = join(repo.root, "server.git");
    await run("git", ["clone", "--quiet", "--bare", repo.dir, bare]);
    const checkout = async (name: string): Promise<string> => {
      const dir = join(repo.root, name);
      await run("git", ["clone", "--quiet", "--shared", bare, dir]);
      return dir;
    };
    const firstRun = await checkout("run-1");
    const first = await planRelease(firstRun, { rootServiceName: "demo" });
    const shared = releaseCacheFile(join(firstRun, ".git"));
    expect(shared).toBe(releaseCacheFile(bare));
    const written = await stat(shared);
    await expect(readdir(join(firstRun, ".git", "slipway"))).rejects.toThrow();

    // The next run: another fresh clone reads the same cache and, finding everything there, leaves it as it is.
    const secondRun = await checkout("run-2");
    expect(await planRelease(secondRun, { rootServiceName: "demo" })).toEqual(first);
    const after = await stat(shared);
    expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs]);
    expect(first[0]).toMatchObject({ previousVersion: "1.0.0", nextVersion: "1.1.0" });
  });

  it("is not used in a shallow clone (deepening it would give commits new parents)", async () => {
    const { repo } = await graphRepo(line("m", 5), { "refs/heads/main": "m4" });
    const shallow = join(repo.root, "shallow");
    await run("git", ["clone", "--quiet", "--depth", "2", `file://${repo.dir}`, shallow]);
    const plans = await planRelease(shallow, { rootServiceName: "demo" });
    expect(plans[0].commits).toHaveLength(2);
    await expect(readFile(releaseCacheFile(join(shallow, ".git")))).rejects.toThrow();
  });
});
