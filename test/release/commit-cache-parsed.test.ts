/** Parsed commits in the release cache: stored under the parser's fingerprint, re-parsed under another; a hit leaves the file alone. */

import { stat, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { cachedCommit } from "../../src/release/cached-commit";
import { readCommitCache } from "../../src/release/commit-cache-file";
import { readHistoryCached, releaseCacheFile } from "../../src/release/commit-cache";
import { decodeCommits, encodeCommits } from "../../src/release/commit-columns";
import { CommitStore } from "../../src/release/commit-store";
import { parseConventionalCommit, parserFingerprint, splitMessage, type ConventionalCommit } from "../../src/release/conventional-commit";
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
  "fix: a number no int32 holds (#99999999999)",
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
    const parts = encodeCommits(store, true);
    if (!parts) throw new Error("not encoded");
    const stored = Buffer.concat(parts);
    for (const reparse of [false, true]) {
      const loaded = decodeCommits(stored, true, reparse);
      expect(loaded?.values()).toEqual(raws.map((raw) => ({ ...parseConventionalCommit(raw), time: raw.time, message: splitMessage(raw.message).message })));
    }
    // Every cut short, and one byte too many, is refused rather than misread.
    for (const length of [0, 3, 4, 40, stored.length - 8, stored.length - 1]) expect(decodeCommits(stored.subarray(0, length), true, false)).toBeUndefined();
    expect(decodeCommits(Buffer.concat([stored, Buffer.from([0])]), true, false)).toBeUndefined();
    expect(decodeCommits(stored, false, false)).toBeUndefined();
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
    await writeFile(file, await rewriteHead(file, (head, commits) => {
      head.parser = "0".repeat(32);
      commits.types = commits.types.map(() => "stale");
    }));
    expect((await readCommitCache(file))?.reparsed).toBe(true);
    const again = await readHistoryCached(repo.dir, range, { file });
    expect([again.outcome, again.loaded, again.written]).toEqual(["hit", 0, true]);
    const parsedPart = ({ type, scope, subject, breaking, breakingNotes, pullRequest, references }: ConventionalCommit): unknown => ({ type, scope, subject, breaking, breakingNotes, pullRequest, references });
    expect(again.commits.map(parsedPart)).toEqual(expected.map(parsedPart));
    const rewritten = await readCommitCache(file);
    expect(rewritten?.reparsed).toBeUndefined();
    expect(headOf(await readFile(file)).head.parser).toBe(parserFingerprint());
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

interface Head {
  parser: string;
}

/** The JSON at the start of the commits section (commit-columns.ts). */
interface CommitsMeta {
  types: string[];
}

/** The file's head (JSON after the header line and a u32 length) and the bytes after it. */
function headOf(bytes: Buffer): { line: string; head: Head; rest: Buffer } {
  const newline = bytes.indexOf(0x0a);
  const body = bytes.subarray(newline + 1);
  const end = 4 + body.readUInt32LE(0);
  return { line: bytes.subarray(0, newline).toString("latin1"), head: JSON.parse(body.subarray(4, end).toString("utf8")) as Head, rest: body.subarray(end) };
}

/** A u32 length and the JSON. */
function framed(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([length, json]);
}

/** The file with its head and the commits' meta changed, and its header line (length, CRC-32) made to match again. */
async function rewriteHead(file: string, change: (head: Head, commits: CommitsMeta) => void): Promise<Buffer> {
  const { line, head, rest } = headOf(await readFile(file));
  const metaEnd = 4 + rest.readUInt32LE(0);
  const commits = JSON.parse(rest.subarray(4, metaEnd).toString("utf8")) as CommitsMeta;
  change(head, commits);
  const body = Buffer.concat([framed(head), framed(commits), rest.subarray(metaEnd)]);
  const fields = line.split(" ");
  fields[3] = String(body.length);
  fields[4] = `crc32:${crc32(body).toString(16).padStart(8, "0")}`;
  return Buffer.concat([Buffer.from(`${fields.join(" ")}\n`, "latin1"), body]);
}
