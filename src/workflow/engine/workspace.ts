/** Per-job directories (workspace, temp) and git worktree checkouts of the run's commit. */

import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonValue } from "../../core/json";
import { git } from "../../git/git-cli";

export interface JobDirectories {
  root: string;
  workspace: string;
  temp: string;
  toolCache: string;
}

/** A file-system-safe name for a job key such as `build (20, ubuntu-latest)`. */
export function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 80) || "job";
}

export async function createJobDirectories(dataDir: string, runId: number, jobKey: string, ordinal: number): Promise<JobDirectories> {
  const root = join(dataDir, "work", String(runId), `${ordinal}-${safeName(jobKey)}`);
  const dirs = { root, workspace: join(root, "workspace"), temp: join(root, "temp"), toolCache: join(dataDir, "tool-cache") };
  await Promise.all([mkdir(dirs.workspace, { recursive: true }), mkdir(dirs.temp, { recursive: true }), mkdir(dirs.toolCache, { recursive: true })]);
  return dirs;
}

/** The event payload as a file, for GITHUB_EVENT_PATH (`$RUNNER_TEMP/_github_workflow/event.json`, as on GitHub). */
export async function writeEventFile(tempDir: string, payload: JsonValue): Promise<string> {
  const dir = join(tempDir, "_github_workflow");
  await mkdir(dir, { recursive: true });
  const path = join(dir, "event.json");
  await writeFile(path, JSON.stringify(payload, null, 2));
  return path;
}

// git serialises worktree bookkeeping badly under concurrency: one operation per repository at a time.
const worktreeLocks = new Map<string, Promise<unknown>>();

function withRepoLock<T>(repoDir: string, fn: () => Promise<T>): Promise<T> {
  const previous = worktreeLocks.get(repoDir) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  worktreeLocks.set(repoDir, next.catch(() => undefined));
  return next;
}

/** Check out `sha` of `repoDir` into `target` as a detached worktree (full history, a real .git). */
export async function checkoutWorktree(repoDir: string, sha: string, target: string): Promise<void> {
  await withRepoLock(repoDir, async () => {
    await rm(target, { recursive: true, force: true });
    await git(["worktree", "add", "--detach", "--force", "--quiet", target, sha], repoDir);
  });
}

export async function removeWorktrees(repoDir: string, targets: string[]): Promise<void> {
  if (targets.length === 0) return;
  await withRepoLock(repoDir, async () => {
    for (const target of targets) await rm(target, { recursive: true, force: true });
    await git(["worktree", "prune"], repoDir);
  });
}
