/** What a push changed: ref updates spooled by the post-receive hook, turned into commits and changed paths. */

import { git, gitMaybe } from "./git-cli";
import { zeroSha } from "./local-repo";

export interface RefUpdate {
  before: string;
  after: string;
  ref: string;
}

export interface PushedCommit {
  sha: string;
  message: string;
  timestamp: string;
  author: { name: string; email: string };
}

export interface PushDetails extends RefUpdate {
  created: boolean;
  deleted: boolean;
  /** The new head does not contain the old one. */
  forced: boolean;
  /** Oldest first, as GitHub lists them (at most 2,048). */
  commits: PushedCommit[];
  changedPaths: string[];
}

const maxCommits = 2048;

export function parseRefUpdates(text: string): RefUpdate[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(" "))
    .filter((parts) => parts.length === 3 && /^[0-9a-f]{40}$/.test(parts[0]!) && /^[0-9a-f]{40}$/.test(parts[1]!))
    .map(([before, after, ref]) => ({ before: before!, after: after!, ref: ref! }));
}

export async function describePush(repoPath: string, update: RefUpdate, defaultBranch: string): Promise<PushDetails> {
  const created = update.before === zeroSha;
  const deleted = update.after === zeroSha;
  if (deleted) return { ...update, created, deleted, forced: false, commits: [], changedPaths: [] };
  const forced = !created && (await gitMaybe(["merge-base", "--is-ancestor", update.before, update.after], repoPath)) === undefined;
  if (created && update.ref === `refs/heads/${defaultBranch}`) return { ...update, created, deleted, forced, ...(await newDefaultBranch(repoPath, update)) };
  // A new branch is compared with the default branch (what it adds); an update with its old head.
  const base = created ? await gitMaybe(["merge-base", `refs/heads/${defaultBranch}`, update.after], repoPath).then((s) => s?.trim()) : update.before;
  const range = base && base !== update.after ? [`${base}..${update.after}`] : created && !base ? [update.after] : [];
  const commits = range.length === 0 ? [] : await listCommits(repoPath, range);
  const changedPaths = base ? await diffPaths(repoPath, base, update.after) : await treePaths(repoPath, update.after);
  return { ...update, created, deleted, forced, commits, changedPaths };
}

/**
 * The default branch itself was created (the first push to an empty repo, or a re-creation): the hook
 * runs after the ref moved, so comparing with the default branch would find nothing. Its commits are
 * those no other ref reaches; its paths are what they changed.
 */
async function newDefaultBranch(repoPath: string, update: RefUpdate): Promise<Pick<PushDetails, "commits" | "changedPaths">> {
  const commits = await listCommits(repoPath, [update.after, "--not", `--exclude=${update.ref}`, "--glob=refs/*"]);
  const oldest = commits[0];
  if (!oldest) return { commits, changedPaths: [] };
  const parent = (await gitMaybe(["rev-parse", "--verify", "--quiet", `${oldest.sha}^`], repoPath))?.trim();
  return { commits, changedPaths: parent ? await diffPaths(repoPath, parent, update.after) : await treePaths(repoPath, update.after) };
}

async function diffPaths(repoPath: string, base: string, after: string): Promise<string[]> {
  return (await git(["diff", "--name-only", "--no-renames", "-z", base, after], repoPath)).split("\0").filter(Boolean);
}

async function treePaths(repoPath: string, sha: string): Promise<string[]> {
  return (await git(["ls-tree", "-r", "--name-only", "-z", sha], repoPath)).split("\0").filter(Boolean);
}

async function listCommits(repoPath: string, range: string[]): Promise<PushedCommit[]> {
  const out = await git(["log", "--reverse", `--max-count=${maxCommits}`, "--format=%H%x00%an%x00%ae%x00%cI%x00%B%x1e", ...range], repoPath);
  return out
    .split("\x1e")
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record.includes("\0"))
    .map((record) => {
      const [sha, name, email, timestamp, message] = record.split("\0");
      return { sha: sha!, author: { name: name!, email: email! }, timestamp: timestamp!, message: (message ?? "").trim() };
    });
}
