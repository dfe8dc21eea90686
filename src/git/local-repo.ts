/** Facts about a local working copy that `slipway run` turns into a trigger event. */

import { isAbsolute, join } from "node:path";
import { SlipwayError } from "../core/errors";
import { git, gitMaybe } from "./git-cli";

export const zeroSha = "0000000000000000000000000000000000000000";

export async function repositoryTopLevel(cwd: string): Promise<string> {
  const top = await gitMaybe(["rev-parse", "--show-toplevel"], cwd);
  if (!top) throw new SlipwayError("NOT_A_GIT_REPO", `${cwd} is not inside a git working copy.`);
  return top.trim();
}

/** `.git` (or the common dir of a linked worktree), absolute. */
export async function gitCommonDir(repoDir: string): Promise<string> {
  const dir = (await git(["rev-parse", "--git-common-dir"], repoDir)).trim();
  return isAbsolute(dir) ? dir : join(repoDir, dir);
}

export async function resolveCommit(repoDir: string, rev: string): Promise<string> {
  const sha = await gitMaybe(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], repoDir);
  if (!sha) {
    const hint = rev === "HEAD" ? "Make a first commit: slipway runs committed code." : undefined;
    throw new SlipwayError("GIT_FAILED", `'${rev}' does not name a commit in ${repoDir}.`, { hint });
  }
  return sha.trim();
}

/** `refs/heads/<branch>` for the checked-out branch, or undefined when HEAD is detached. */
export async function currentBranchRef(repoDir: string): Promise<string | undefined> {
  const ref = await gitMaybe(["symbolic-ref", "--quiet", "HEAD"], repoDir);
  return ref?.trim() || undefined;
}

export async function parentCommit(repoDir: string, sha: string): Promise<string | undefined> {
  return (await gitMaybe(["rev-parse", "--verify", "--quiet", `${sha}^`], repoDir))?.trim() || undefined;
}

/** Paths changed between two commits (a root commit: every file in it). */
export async function changedPaths(repoDir: string, before: string | undefined, after: string): Promise<string[]> {
  const out = before
    ? await git(["diff", "--name-only", "--no-renames", "-z", before, after], repoDir)
    : await git(["ls-tree", "-r", "--name-only", "-z", after], repoDir);
  return out.split("\0").filter(Boolean);
}

export async function userName(repoDir: string): Promise<string> {
  return (await gitMaybe(["config", "user.name"], repoDir))?.trim() || process.env.USER || "local";
}

/** `owner/name` from the origin remote when there is one, else `local/<dir name>`. */
export async function repositoryName(repoDir: string): Promise<string> {
  const url = (await gitMaybe(["remote", "get-url", "origin"], repoDir))?.trim();
  const match = url?.match(/([^/:]+)\/([^/]+?)(?:\.git)?\/?$/);
  if (match) return `${match[1]}/${match[2]}`;
  return `local/${repoDir.split("/").filter(Boolean).pop() ?? "repo"}`;
}
