/** Parsed commits in the release cache: stored under the parser's fingerprint, re-parsed under another; a hit leaves the file alone. */

import { stat, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { cachedCommit } from "../../src/release/cached-commit";
import { readCommitCache } from "../../src/release/commit-cache-file";
import { readHistoryCached, releaseCacheFile } from "../../src/release/commit-cache";
import { commitColumns, storeFromColumns } from "../../src/release/commit-columns";
import { CommitStore } from "../../src/release/commit-store";
import { parseConventionalCommit, parserFingerprint, type ConventionalCommit } from "../../src/release/conventional-commit";
import { readHistory } from "../../src/release/git-history";
import { planRelease } from "../../src/release";
import { GitRepo } from "../support/git-repo";

const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
});

const messages = [
  "feat(api)!: drop v1 (#12)",
  "fix: x\n\nBREAKING CHANGE: a\nb\n\nCloses #5\nRefs #7, #9",
  `Revert "feat: a"\n\nThis reverts commit ${"b".repeat(40)}.`,
  "revert: feat(x): a\n\nThis reverts commit abc1234.",
  "Merge branch 'x'",
  "Update README\r\n\r\nBREAKING-CHANGE: gone",
  "chore: ünïcødé subject",
  "perf: faster",
];

const sha = (i: number): string => i.toString(16).padStart(40, "0");

describe("parsed commits in the release cache", () => {
  it("round-trips every parsed field through the columns, and re-parses under another fingerprint", () => {
    // Newest first; the merge (index 4) has a second parent outside the cache, the oldest a parent outside it.
    const raws = messages.map((message, i) => ({
      sha: sha(i + 1),
      parents: i === 4 ? [sha(i + 2), sha(100)] : [sha(i + 2)],
      time: 1_700_000_000 - i,
      message,
      files: i % 2 ? [`services/api/${i}.ts`] : [],
    }));
    const store = new CommitStore(raws.map(cachedCommit));
    const stored = JSON.parse(JSON.stringify(commitColumns(store, true))) as unknown;
    for (const reparse of [false, true]) {
      const loaded = storeFromColumns(stored, true, reparse);
      expect(loaded?.values()).toEqual(raws.map((raw) => ({ ...parseConventionalCommit(raw), time: raw.time, message: raw.message })));
    }
    expect(storeFromColumns({ ...(stored as object), up: [] }, true, false)).toBeUndefined();
  });

  it("is keyed by a fingerprint of the parser's code, computed once", () => {
    expect(parserFingerprint()).toMatch(/^[0-9a-f]{32}$/);
    expect(parserFingerprint()).toBe(parserFingerprint());
  });

  it("re-parses the messages when the fingerprint differs, and writes the cache back once", async () => {
    const repo = await GitRepo.create("slipway-cache-parsed-");
    repos.push(repo);
    await repo.writeFiles({ "a.txt": "a" });
    await repo.commitAll("chore: start");
    await repo.tag("v1.0.0");
    await repo.writeFiles({ "b.txt": "b" });
    await repo.commitAll("feat(api): search (#4)\n\nCloses #2");
    await repo.writeFiles({ "c.txt": "c" });
    const head = await repo.commitAll("fix!: drop the old flag");
    const file = releaseCacheFile(join(repo.dir, ".git"));
    const range = { head, exclude: [await repo.sha("v1.0.0")], withFiles: false };
    const expected = await readHistory(repo.dir, range);
    await readHistoryCached(repo.dir, range, { file });

    // Another parser wrote this file: different fingerprint, different (wrong) parsed fields.
    await writeFile(file, await rewriteBody(file, (body) => {
      body.parser = "0".repeat(32);
      body.commits.parsed = body.commits.parsed.map((column) => column.map(() => "stale"));
    }));
    expect((await readCommitCache(file))?.reparsed).toBe(true);
    const again = await readHistoryCached(repo.dir, range, { file });
    expect([again.outcome, again.loaded, again.written]).toEqual(["hit", 0, true]);
    const parsedPart = ({ type, scope, subject, breaking, breakingNotes, pullRequest, references }: ConventionalCommit): unknown => ({ type, scope, subject, breaking, breakingNotes, pullRequest, references });
    expect(again.commits.map(parsedPart)).toEqual(expected.map(parsedPart));
    const rewritten = await readCommitCache(file);
    expect(rewritten?.reparsed).toBeUndefined();
    expect(JSON.parse((await readFile(file)).toString("utf8").split("\n").slice(1).join("\n")).parser).toBe(parserFingerprint());
    const hit = await readHistoryCached(repo.dir, range, { file });
    expect([hit.outcome, hit.written]).toEqual(["hit", false]);
  });

  it("leaves the cache file untouched on an unchanged warm run (same inode and mtime)", async () => {
    const repo = await GitRepo.create("slipway-cache-parsed-");
    repos.push(repo);
    for (const [i, message] of ["chore: start", "feat: one", "fix: two"].entries()) {
      await repo.writeFiles({ [`${i}.txt`]: message });
      await repo.commitAll(message);
      if (i === 0) await repo.tag("v1.0.0");
    }
    const file = releaseCacheFile(join(repo.dir, ".git"));
    const cold = await planRelease(repo.dir, { rootServiceName: "demo", date: new Date("2026-01-01") });
    const before = await stat(file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const warm = await planRelease(repo.dir, { rootServiceName: "demo", date: new Date("2026-01-01") });
    const after = await stat(file);
    expect(warm).toEqual(cold);
    expect(warm[0]).toMatchObject({ nextVersion: "1.1.0" });
    expect([after.ino, after.mtimeMs, after.size]).toEqual([before.ino, before.mtimeMs, before.size]);
  });
});

interface Body {
  parser: string;
  commits: { parsed: unknown[][] };
}

/** The file with its JSON body changed and its header (length, CRC-32) made to match again. */
async function rewriteBody(file: string, change: (body: Body) => void): Promise<Buffer> {
  const bytes = await readFile(file);
  const newline = bytes.indexOf(0x0a);
  const fields = bytes.subarray(0, newline).toString("latin1").split(" ");
  const body = JSON.parse(bytes.subarray(newline + 1).toString("utf8")) as Body;
  change(body);
  const text = Buffer.from(JSON.stringify(body), "utf8");
  fields[3] = String(text.length);
  fields[4] = `crc32:${crc32(text).toString(16).padStart(8, "0")}`;
  return Buffer.concat([Buffer.from(`${fields.join(" ")}\n`, "latin1"), text]);
}
