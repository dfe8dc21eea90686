/** Per-job directories (workspace, temp) and shared-clone checkouts of the run's commit. */

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

/**
 * Check out `sha` of `repoDir` into `target`: a `git clone --shared` (objects borrowed through
 * alternates, full history, a real .git) detached at the commit. Nothing is registered in `repoDir`,
 * so runs never interfere with pushes to a hosted repository, and cleaning up is removing the folder.
 */
export async function checkoutCommit(repoDir: string, sha: string, target: string): Promise<void> {
  await rm(target, { recursive: true, force: true });
  await git(["clone", "--shared", "--no-checkout", "--quiet", repoDir, target], repoDir);
  // Like actions/checkout, `origin` is where the repository lives (the working copy's own origin when it has one).
  const upstream = (await git(["config", "--get", "remote.origin.url"], repoDir).catch(() => "")).trim();
  if (upstream) await git(["remote", "set-url", "origin", upstream], target);
  await git(["checkout", "--quiet", "--detach", sha], target);
}

export async function removeCheckouts(targets: string[]): Promise<void> {
  for (const target of targets) await rm(target, { recursive: true, force: true });
}
