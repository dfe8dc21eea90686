/**
 * History through the commit cache: git is asked only for commits the cache lacks, ancestry is walked in memory.
 *
 * Invariant (what makes the in-memory walk exact): every parent of a cached commit is cached, unless it is
 * reachable from a bottom, and no cached commit is reachable from a bottom. A range `head ^exclude` is then
 * exact in memory once head and the excluded commits are loaded and every bottom is reachable from the
 * excluded commits within the cache; otherwise the bottom is lowered to a common ancestor first.
 * Only commits (immutable for their SHA) are cached, never refs: tags are read fresh on every run.
 */

import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { gitMaybe } from "../git/git-cli";
import { cachedCommit, type CachedCommit } from "./cached-commit";
import type { ConventionalCommit } from "./conventional-commit";
import { appendCommitCache, byteLength, encodeCacheSegment, encodeCommitCache, readCacheHint, readCommitCache, writeCommitCache, type CacheHint, type CommitCacheData } from "./commit-cache-file";
import { CommitStore } from "./commit-store";
import { frontier, logOrder, reachableFrom, type Reached } from "./commit-walk";
import { readHeadFromFiles } from "./head-file";
import { readHistory, streamLog, type HistoryRange, type LogRange } from "./git-history";
import type { LoggedCommit } from "./history-stream";

export interface CommitCacheOptions {
  /** The cache file; see `releaseCacheFile`. */
  file: string;
  /** Above this many commits the cache is cut back to this run's range (default 250,000). */
  maxCommits?: number;
  /** Nor is a file larger than this written (default 128 MiB). */
  maxBytes?: number;
  /** The cache as already read (a preload, or the state an earlier range of the same plan left). */
  stored?: Promise<CommitCacheData | undefined>;
  /** Commits git listed beyond the cache's tips in the same batch as the refs (see `newCommitsRange`). */
  prefetched?: PrefetchedCommits;
}

/** `git log head --not <hint's tips and bottoms>`, asked for before the cache was read whole. */
export interface PrefetchedCommits {
  /** The header of the cache file the tips came from: the commits are only used with that file's base. */
  header: string;
  head: string;
  /** What git was told to leave out: the commits are complete only if all of these are in the cache read. */
  not: string[];
  commits: LoggedCommit[];
}

/** A cache read started early, so that it overlaps git's answer to the repository facts. */
export interface CachePreload {
  file: string;
  data: Promise<CommitCacheData | undefined>;
  /** The file's base head, read at once: git can list the commits beyond its tips along with the refs. */
  hint?: CacheHint;
}

/** How the run used the cache: `hit` asked git for no commits, `extended` for new ones only, `lowered` for older ones too. */
export type CacheOutcome = "cold" | "hit" | "extended" | "lowered" | "bypassed";

export interface CachedHistory {
  commits: ConventionalCommit[];
  outcome: CacheOutcome;
  /** The cache's state after the run. */
  cache?: CommitCacheData;
  /** Commits git streamed in this run. */
  loaded: number;
  written: boolean;
}

const tipLimit = 32;

/**
 * One cache per object store: `<repository>/slipway/release-cache/history.v1` (the repository being `.git` of a
 * working copy, or a bare one). A clone made with `--shared` or `--reference` (a workflow's checkout) borrows its
 * objects from another repository: the cache is that repository's, so every run's fresh checkout finds the history
 * the runs before it cached. Sharing is safe: only commits are cached, and a commit is the same in every repository
 * that has its SHA; commits only one clone has are never reached from another clone's heads.
 */
export function releaseCacheFile(gitCommonDir: string): string {
  return join(objectStoreHome(gitCommonDir), "slipway", "release-cache", "history.v1");
}

/** Follows `objects/info/alternates` (one alternate, a few levels at most) to the repository that owns the objects. */
function objectStoreHome(gitDir: string): string {
  let home = gitDir;
  for (let depth = 0; depth < 4; depth += 1) {
    const lines = readAlternates(home);
    if (lines.length !== 1 || !isAbsolute(lines[0]) || basename(lines[0]) !== "objects") return home;
    const owner = dirname(lines[0]);
    if (!existsSync(join(owner, "HEAD")) || !isWritable(owner)) return home;
    home = owner;
  }
  return home;
}

function readAlternates(gitDir: string): string[] {
  try {
    return readFileSync(join(gitDir, "objects", "info", "alternates"), "utf8").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
  } catch {
    return [];
  }
}

function isWritable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * How a plan reads history: through the cache unless it is turned off (option, or SLIPWAY_RELEASE_CACHE=0) or
 * the repository is shallow (deepening a clone gives its boundary commits parents, so a SHA's parents change).
 */
export function historyReader(repoDir: string, gitCommonDir: string, useCache: boolean | undefined, preload?: CachePreload, prefetched?: PrefetchedCommits): (range: HistoryRange) => Promise<ConventionalCommit[]> {
  if (!cacheEnabled(useCache) || existsSync(join(gitCommonDir, "shallow"))) return (range) => readHistory(repoDir, range);
  const file = releaseCacheFile(gitCommonDir);
  const preloaded = preload?.file === file;
  let stored = preloaded ? preload.data : undefined;
  return async (range) => {
    const result = await readHistoryCached(repoDir, range, { file, stored, prefetched: preloaded ? prefetched : undefined });
    stored = Promise.resolve(result.cache);
    return result.commits;
  };
}

/** Starts reading the cache where it most likely is (`.git` of a working copy, else the bare repository itself). */
export function preloadCommitCache(repoDir: string, useCache: boolean | undefined): CachePreload | undefined {
  if (!cacheEnabled(useCache)) return undefined;
  const dotGit = join(repoDir, ".git");
  const file = releaseCacheFile(existsSync(dotGit) && statSync(dotGit).isDirectory() ? dotGit : repoDir);
  return { file, data: readCommitCache(file), hint: readCacheHint(file) };
}

/**
 * What to ask git for along with the refs: the commits beyond the cache's tips; nothing when HEAD, read from the
 * repository's files, is one of them (the usual warm run: another git process would only cost time).
 */
export function newCommitsRange(repoDir: string, preload: CachePreload | undefined, head: string): LogRange | undefined {
  const hint = preload?.hint;
  if (!hint || (head === "HEAD" && hint.tips.includes(readHeadFromFiles(repoDir) ?? ""))) return undefined;
  return { heads: [head], not: [...hint.tips, ...hint.bottoms], withFiles: hint.withFiles };
}

function cacheEnabled(useCache: boolean | undefined): boolean {
  return useCache ?? process.env.SLIPWAY_RELEASE_CACHE !== "0";
}

/** `readHistory` through the cache: the same commits in the same order. */
export async function readHistoryCached(repoDir: string, range: HistoryRange, options: CommitCacheOptions): Promise<CachedHistory> {
  const stored = await (options.stored ?? readCommitCache(options.file));
  // A cache without changed paths cannot serve a monorepo: rebuilt with them.
  const usable = stored && (stored.withFiles || !range.withFiles) ? stored : undefined;
  if (!usable) return throughCache(repoDir, range, options, undefined);
  try {
    return await throughCache(repoDir, range, options, usable);
  } catch {
    // A cached tip or bottom that git no longer has (force-pushed away, then pruned): start again from this range.
    return throughCache(repoDir, range, options, undefined);
  }
}

async function throughCache(repoDir: string, range: HistoryRange, options: CommitCacheOptions, stored: CommitCacheData | undefined): Promise<CachedHistory> {
  const cache: CommitCacheData = stored ?? { withFiles: range.withFiles, bottoms: [...range.exclude], tips: [], commits: new CommitStore() };
  let outcome: CacheOutcome = stored ? "hit" : "cold";
  let loaded = 0;
  const known = (sha: string): boolean => cache.commits.has(sha) || cache.bottoms.includes(sha);
  const wanted = [range.head, ...range.exclude];
  if (!wanted.every(known)) {
    const prefetched = options.prefetched;
    // Listed beyond tips this cache holds (the base's, or a segment's that the read found too: a byte-identical
    // rewrite of the base may have dropped it), the commits' parents are cached or listed too (the closure rule).
    const usable = stored && prefetched && prefetched.header === stored.file?.header && prefetched.head === range.head;
    if (usable && range.exclude.every(known) && prefetched.not.every(known)) {
      for (const commit of prefetched.commits) if (!cache.commits.has(commit.sha)) cache.commits.add(cachedCommit(commit));
      loaded += prefetched.commits.length;
    } else {
      loaded += await load(repoDir, cache, { heads: wanted, not: [...cache.tips, ...cache.bottoms], withFiles: cache.withFiles });
    }
    if (stored) outcome = "extended";
  }
  let excluded = reachableFrom(cache.commits, range.exclude);
  if (!bottomsCovered(cache, range.exclude, excluded)) {
    const lower = await commonBottom(repoDir, cache.bottoms, range.exclude);
    loaded += await load(repoDir, cache, { heads: cache.bottoms, not: lower, withFiles: cache.withFiles });
    cache.bottoms = lower;
    outcome = "lowered";
    excluded = reachableFrom(cache.commits, range.exclude);
    // Cannot happen by construction; should it anyway, git answers and the cache is left as it was.
    if (!bottomsCovered(cache, range.exclude, excluded)) return { commits: await readHistory(repoDir, range), outcome: "bypassed", loaded, written: false };
  }
  const walked = logOrder(cache.commits, range.head, excluded);
  // A hit changed nothing: the file stays as it is (unless its parsed fields came from another parser).
  const written = outcome === "hit" && !cache.reparsed ? false : await save(cache, walked, range, options, outcome === "extended");
  return { commits: walked, outcome, cache, loaded, written };
}

/** Adds the range's commits to the cache; returns how many git streamed. */
async function load(repoDir: string, cache: CommitCacheData, range: LogRange): Promise<number> {
  let count = 0;
  await streamLog(repoDir, range, (commit) => {
    count += 1;
    if (!cache.commits.has(commit.sha)) cache.commits.add(cachedCommit(commit));
  });
  return count;
}

/** Every bottom is an excluded commit or reached from one within the cache (so nothing below a bottom is walked wrongly). */
function bottomsCovered(cache: CommitCacheData, exclude: string[], reached: Reached): boolean {
  if (cache.bottoms.length === 0) return true;
  return exclude.length > 0 && cache.bottoms.every((sha) => reached.has(sha));
}

/** A bottom below both the old one and the range's boundary: their merge base, else none (the whole history). */
async function commonBottom(repoDir: string, bottoms: string[], exclude: string[]): Promise<string[]> {
  if (bottoms.length !== 1 || exclude.length !== 1) return [];
  const base = (await gitMaybe(["merge-base", bottoms[0], exclude[0]], repoDir))?.trim();
  return base ? [base] : [];
}

/**
 * Writes the cache: new commits only are appended as a segment; otherwise the file is rewritten, cut back to this
 * run's range above the bounds (exactly `head ^exclude`, so the invariant holds).
 */
async function save(cache: CommitCacheData, walked: CachedCommit[], range: HistoryRange, options: CommitCacheOptions, onlyAdded: boolean): Promise<boolean> {
  const file = cache.file;
  if (onlyAdded && file && cache.commits.size <= maxCommitsOf(options)) {
    const tips = frontier(cache.commits, tipLimit).map((c) => c.sha);
    const segment = encodeCacheSegment({ ...cache, tips });
    const appended = segment && appendCommitCache(options.file, file, segment, cache.commits.size - file.commits);
    if (appended) {
      cache.file = appended;
      cache.tips = tips;
      return true;
    }
  }
  return rewrite(cache, walked, range, options);
}

const maxCommitsOf = (options: CommitCacheOptions): number => options.maxCommits ?? 250_000;

async function rewrite(cache: CommitCacheData, walked: CachedCommit[], range: HistoryRange, options: CommitCacheOptions): Promise<boolean> {
  const maxCommits = maxCommitsOf(options);
  const maxBytes = options.maxBytes ?? 128 * 2 ** 20;
  const compact = (): CommitCacheData => ({ withFiles: cache.withFiles, bottoms: [...range.exclude], tips: [], commits: new CommitStore([...walked]) });
  let data = cache.commits.size > maxCommits ? compact() : cache;
  if (data.commits.size > maxCommits) return false;
  let parts = encodeCommitCache({ ...data, tips: frontier(data.commits, tipLimit).map((c) => c.sha) }, maxBytes);
  if (!parts && data === cache) {
    data = compact();
    parts = encodeCommitCache({ ...data, tips: frontier(data.commits, tipLimit).map((c) => c.sha) }, maxBytes);
  }
  if (!parts || !(await writeCommitCache(options.file, parts))) return false;
  cache.reparsed = undefined;
  // What was written is now the file's base: the next new commits can be appended to it.
  const header = parts[0].toString("latin1").trimEnd();
  const end = byteLength(parts);
  cache.file = data === cache ? { header, commits: cache.commits.size, segments: 0, appended: 0, torn: false, tail: { line: header, offset: 0, end } } : undefined;
  return true;
}
