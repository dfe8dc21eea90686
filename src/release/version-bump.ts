/** Bump levels from commits and the next semantic version: stable, pre-1.0 and prerelease channels. */

import semver from "semver";
import type { ConventionalCommit } from "./conventional-commit";

export type BumpLevel = "major" | "minor" | "patch";

const levelRank: Record<BumpLevel, number> = { patch: 1, minor: 2, major: 3 };

/** What one commit asks for: breaking → major, feat → minor, fix/perf/revert → patch; others nothing. */
export function commitBumpLevel(commit: ConventionalCommit): BumpLevel | undefined {
  if (commit.isMerge) return undefined;
  if (commit.breaking) return "major";
  switch (commit.type) {
    case "feat":
    case "feature":
      return "minor";
    case "fix":
    case "perf":
    case "revert":
      return "patch";
    default:
      return undefined;
  }
}

export function highestBumpLevel(commits: Iterable<ConventionalCommit>): BumpLevel | undefined {
  let highest: BumpLevel | undefined;
  for (const commit of commits) {
    const level = commitBumpLevel(commit);
    if (level && (!highest || levelRank[level] > levelRank[highest])) highest = level;
    if (highest === "major") break;
  }
  return highest;
}

/**
 * Below 1.0.0 a breaking change bumps the minor and a feature the patch (the conventionalcommits
 * preset's `preMajor`); 1.0.0 is reached by configuring it (firstVersion) or tagging it, never by a bump.
 */
export function effectiveLevel(previous: string, level: BumpLevel, preMajor: boolean): BumpLevel {
  if (!preMajor || semver.major(previous) > 0) return level;
  return level === "major" ? "minor" : "patch";
}

export interface StableVersionInput {
  /** The latest stable version of the service, or undefined before its first release. */
  previous?: string;
  level: BumpLevel;
  firstVersion: string;
  preMajor: boolean;
}

export function nextStableVersion(input: StableVersionInput): string {
  if (!input.previous) return input.firstVersion;
  const next = semver.inc(input.previous, effectiveLevel(input.previous, input.level, input.preMajor));
  if (!next) throw new Error(`Cannot bump ${input.previous}.`);
  return next;
}

/** Bumps past versions already taken (tagged on another branch): same level again until free. */
export function firstFreeVersion(candidate: string, level: BumpLevel, taken: ReadonlySet<string>): string {
  let version = candidate;
  while (taken.has(version)) {
    const next = semver.inc(version, level);
    if (!next) throw new Error(`Cannot bump ${version}.`);
    version = next;
  }
  return version;
}

/**
 * `<base>-<channel>.N` with N one above the highest ever tagged for that base and channel (on any
 * branch), so a prerelease number is never reused.
 */
export function nextPrereleaseVersion(base: string, channel: string, taken: Iterable<string>): string {
  let highest = 0;
  for (const version of taken) {
    const parsed = semver.parse(version);
    if (!parsed || `${parsed.major}.${parsed.minor}.${parsed.patch}` !== base) continue;
    const [id, number] = parsed.prerelease;
    if (id === channel && typeof number === "number" && number > highest) highest = number;
  }
  return `${base}-${channel}.${highest + 1}`;
}

/** The release part of a version (`1.2.0-rc.3` → `1.2.0`). */
export function baseVersion(version: string): string {
  const parsed = semver.parse(version);
  if (!parsed) throw new Error(`Not a semantic version: ${version}`);
  return `${parsed.major}.${parsed.minor}.${parsed.patch}`;
}
