/** A private shallow clone of the environment repo for one write: commit on the branch head, push, redo on a moved head. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isSlipwayError, SlipwayError } from "../core/errors";
import { git, gitFreeEnvironment } from "../git/git-cli";

export interface EnvCloneOptions {
  /** A git URL or a path (bare or not). */
  envRepo: string;
  /** Default: the remote's HEAD branch. */
  branch?: string;
  env?: NodeJS.ProcessEnv;
  /** Push attempts before giving up on a branch that keeps moving. Default 20. */
  attempts?: number;
  /** Clone depth; default 1. Reverting older commits needs their history: pass `"full"`. */
  depth?: number | "full";
}

export interface EnvClone {
  dir: string;
  branch: string;
  env: NodeJS.ProcessEnv;
}

/** What `change` did on the current head: nothing (no commit), or a commit to push. */
export type ChangeOutcome<T> = { commit: false; value: T } | { commit: true; value: T };

export interface CommitOutcome<T> {
  value: T;
  branch: string;
  commit?: string;
  attempts: number;
}

/** A push the remote refused because the branch moved (or its ref was locked by a concurrent push). */
export function isMovedHead(error: unknown): boolean {
  if (!isSlipwayError(error) || error.code !== "GIT_FAILED") return false;
  return /non-fast-forward|fetch first|\[rejected\]|\[remote rejected\]|cannot lock ref|failed to update ref|\.lock': File exists|incorrect old value/i.test(error.message);
}

async function cloneEnvRepo(options: EnvCloneOptions, root: string): Promise<EnvClone> {
  const env = options.env ?? gitFreeEnvironment();
  const dir = join(root, "env-repo");
  const branchArgs = options.branch ? ["--branch", options.branch] : [];
  const depthArgs = options.depth === "full" ? [] : ["--depth", String(options.depth ?? 1)];
  try {
    await git(["clone", "--quiet", ...depthArgs, "--no-tags", ...branchArgs, options.envRepo, dir], root, { env });
  } catch (error) {
    throw new SlipwayError("NOT_FOUND", `could not clone the environment repo ${options.envRepo}: ${(error as Error).message}`, { hint: "The environment repo is a git URL or a path to a repository." });
  }
  const branch = options.branch ?? (await git(["rev-parse", "--abbrev-ref", "HEAD"], dir, { env })).trim();
  if (branch === "HEAD") throw new SlipwayError("NOT_FOUND", `the environment repo ${options.envRepo} has no branch to promote on`);
  return { dir, branch, env };
}

/**
 * Clones, runs `change` on the branch head and pushes its commit; when the push is refused because the branch moved,
 * fetches the new head, resets to it and runs `change` again (so every writer's edit lands, none overwrites another).
 */
export function commitToEnvRepo<T>(options: EnvCloneOptions, change: (clone: EnvClone, attempt: number) => Promise<ChangeOutcome<T>>): Promise<CommitOutcome<T>> {
  // Writers in this process take turns per repo and branch: 10 concurrent promotions cost 10 pushes, not ~55 retried ones.
  const key = `${options.envRepo.replace(/\/\/[^/@]*@/, "//")}#${options.branch ?? ""}`;
  const turn = (writersInTurn.get(key) ?? Promise.resolve()).then(() => writeOnce(options, change));
  const settled = turn.then(() => undefined, () => undefined);
  writersInTurn.set(key, settled);
  void settled.then(() => {
    if (writersInTurn.get(key) === settled) writersInTurn.delete(key);
  });
  return turn;
}

/** The last write queued per env repo and branch (in this process). */
const writersInTurn = new Map<string, Promise<void>>();

async function writeOnce<T>(options: EnvCloneOptions, change: (clone: EnvClone, attempt: number) => Promise<ChangeOutcome<T>>): Promise<CommitOutcome<T>> {
  const root = await mkdtemp(join(tmpdir(), "slipway-env-write-"));
  try {
    const clone = await cloneEnvRepo(options, root);
    const { dir, branch, env } = clone;
    const limit = options.attempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const base = (await git(["rev-parse", "HEAD"], dir, { env })).trim();
      const outcome = await change(clone, attempt);
      if (!outcome.commit) return { value: outcome.value, branch, attempts: attempt };
      try {
        await git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], dir, { env });
        return { value: outcome.value, branch, commit: (await git(["rev-parse", "HEAD"], dir, { env })).trim(), attempts: attempt };
      } catch (error) {
        await sleep(Math.floor(Math.random() * 20 * attempt));
        const fetchDepth = options.depth === "full" ? [] : ["--depth", String(options.depth ?? 1)];
        await git(["fetch", "--quiet", ...fetchDepth, "--no-tags", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`], dir, { env });
        const head = (await git(["rev-parse", `refs/remotes/origin/${branch}`], dir, { env })).trim();
        // Only a moved head (or a ref locked by a concurrent push) is worth redoing; anything else is the real error.
        if (head === base && !isMovedHead(error)) throw error;
        if (attempt >= limit) throw new SlipwayError("CONFLICT", `${branch} of the environment repo kept moving: gave up after ${attempt} attempts`, { hint: "Retry the change." });
        await git(["reset", "--quiet", "--hard", `refs/remotes/origin/${branch}`], dir, { env });
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
