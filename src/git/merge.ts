/**
 * Merging inside a bare repository with plumbing only (no working tree): `merge-tree --write-tree`
 * for the tree, `commit-tree` for the commit, and `update-ref NEW OLD` as a compare-and-swap, so a
 * push that lands while a merge is prepared makes the merge fail cleanly instead of losing work.
 */

import { execFile } from "node:child_process";
import { SlipwayError } from "../core/errors";
import { git, gitFreeEnvironment, gitMaybe } from "./git-cli";

export type MergeMethod = "merge" | "squash" | "fast-forward";

export const mergeMethods: readonly MergeMethod[] = ["merge", "squash", "fast-forward"];

export interface GitIdentity {
  name: string;
  email: string;
}

export interface MergeRequest {
  targetBranch: string;
  /** The commit to merge (the pull request's head). */
  headSha: string;
  method: MergeMethod;
  /** The commit message for merge and squash (unused by fast-forward). */
  message: string;
  author: GitIdentity;
  committer: GitIdentity;
}

/** A merge ready to publish: move `ref` from `oldSha` to `newSha`. */
export interface MergePlan {
  ref: string;
  oldSha: string;
  newSha: string;
  method: MergeMethod;
}

export async function branchHead(repoPath: string, branch: string): Promise<string | undefined> {
  return (await gitMaybe(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], repoPath))?.trim() || undefined;
}

export async function isAncestor(repoPath: string, ancestor: string, descendant: string): Promise<boolean> {
  return (await gitMaybe(["merge-base", "--is-ancestor", ancestor, descendant], repoPath)) !== undefined;
}

export async function mergeBase(repoPath: string, a: string, b: string): Promise<string | undefined> {
  return (await gitMaybe(["merge-base", a, b], repoPath))?.trim() || undefined;
}

/** Paths changed on `head` since it forked from `base`: what a pull request changes. */
export async function pullRequestChangedPaths(repoPath: string, baseSha: string, headSha: string): Promise<string[]> {
  const fork = await mergeBase(repoPath, baseSha, headSha);
  const out = fork
    ? await git(["diff", "--name-only", "--no-renames", "-z", fork, headSha], repoPath)
    : await git(["ls-tree", "-r", "--name-only", "-z", headSha], repoPath);
  return out.split("\0").filter(Boolean);
}

/** The merged tree of two commits, and the files that conflict (empty when it merges cleanly). */
export function mergeTrees(repoPath: string, ours: string, theirs: string): Promise<{ tree: string; conflicts: string[] }> {
  const args = ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", ours, theirs];
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd: repoPath, maxBuffer: 64 * 1024 * 1024, env: gitFreeEnvironment() }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      // Exit 1 means "conflicts": the output still holds the tree, then one conflicted path per entry.
      if (code !== 0 && code !== 1) {
        reject(new SlipwayError("CONFLICT", `The branches cannot be merged: ${stderr.trim() || error?.message}`));
        return;
      }
      const [tree, ...paths] = stdout.split("\0");
      resolve({ tree: (tree ?? "").trim(), conflicts: code === 1 ? paths.filter(Boolean) : [] });
    });
  });
}

export async function commitTree(repoPath: string, tree: string, parents: string[], message: string, author: GitIdentity, committer: GitIdentity): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...gitFreeEnvironment(),
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
  const parentArgs = parents.flatMap((p) => ["-p", p]);
  return (await git(["commit-tree", tree, ...parentArgs, "-m", message], repoPath, { env })).trim();
}

/** Builds the commit a merge would publish, without moving any ref. Conflicts → CONFLICT naming the files. */
export async function planMerge(repoPath: string, request: MergeRequest): Promise<MergePlan> {
  const ref = `refs/heads/${request.targetBranch}`;
  const oldSha = await branchHead(repoPath, request.targetBranch);
  if (!oldSha) throw new SlipwayError("NOT_FOUND", `The target branch '${request.targetBranch}' does not exist.`);
  if (request.method === "fast-forward") {
    if (!(await isAncestor(repoPath, oldSha, request.headSha))) {
      throw new SlipwayError("CONFLICT", `Cannot fast-forward ${request.targetBranch}: it has commits the pull request does not contain. Update the branch, or merge with --method merge or squash.`);
    }
    return { ref, oldSha, newSha: request.headSha, method: request.method };
  }
  const { tree, conflicts } = await mergeTrees(repoPath, oldSha, request.headSha);
  if (conflicts.length > 0) {
    throw new SlipwayError("CONFLICT", `Merge conflict in ${conflicts.join(", ")}: resolve it on the source branch and push again.`, { details: { conflictingFiles: conflicts } });
  }
  const parents = request.method === "merge" ? [oldSha, request.headSha] : [oldSha];
  const newSha = await commitTree(repoPath, tree, parents, request.message, request.author, request.committer);
  return { ref, oldSha, newSha, method: request.method };
}

/** Publishes a plan only if the target still points where it did: a push in between → CONFLICT, nothing changed. */
export async function applyMerge(repoPath: string, plan: MergePlan, reflogMessage: string): Promise<void> {
  try {
    await git(["update-ref", "-m", reflogMessage, plan.ref, plan.newSha, plan.oldSha], repoPath);
  } catch (error) {
    const branch = plan.ref.replace(/^refs\/heads\//, "");
    throw new SlipwayError("CONFLICT", `${branch} changed while the merge was being prepared (it is no longer at ${plan.oldSha.slice(0, 7)}); nothing was merged. Try again.`, { cause: error });
  }
}

/** The author line of a commit, e.g. for crediting a squash commit to whoever wrote the change. */
export async function commitAuthor(repoPath: string, sha: string): Promise<GitIdentity> {
  const [name, email] = (await git(["show", "-s", "--format=%an%x00%ae", sha], repoPath)).trim().split("\0");
  return { name: name ?? "", email: email ?? "" };
}

/** Points `refs/pull/N/head` at the pull request's head, so clients can fetch it and the commit is never collected. */
export async function updatePullRef(repoPath: string, number: number, headSha: string): Promise<void> {
  await git(["update-ref", `refs/pull/${number}/head`, headSha], repoPath);
}
