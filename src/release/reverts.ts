/** Reverts cancel out: a revert and the commit it reverts, both in the range, drop out of the release. */

import type { ConventionalCommit } from "./conventional-commit";

/**
 * Commits newest first. Walking from the newest, a revert that is itself still standing cancels its
 * target, so reverting a revert brings the original back.
 */
export function withoutCancelledReverts(commits: ConventionalCommit[]): ConventionalCommit[] {
  if (!commits.some((commit) => commit.reverts)) return commits;
  const cancelled = new Set<string>();
  const bySha = new Map<string, ConventionalCommit>();
  for (const commit of commits) bySha.set(commit.sha, commit);
  for (const commit of commits) {
    if (cancelled.has(commit.sha) || !commit.reverts) continue;
    const target = findTarget(commit.reverts.sha, bySha, commits);
    if (!target || target.sha === commit.sha) continue;
    cancelled.add(target.sha);
    cancelled.add(commit.sha);
  }
  return cancelled.size === 0 ? commits : commits.filter((commit) => !cancelled.has(commit.sha));
}

/** Full SHAs hit the map; an abbreviated SHA (at least 7 digits) is matched by prefix. */
function findTarget(sha: string, bySha: Map<string, ConventionalCommit>, commits: ConventionalCommit[]): ConventionalCommit | undefined {
  const exact = bySha.get(sha);
  if (exact || sha.length >= 40 || sha.length < 7) return exact;
  return commits.find((commit) => commit.sha.startsWith(sha));
}
