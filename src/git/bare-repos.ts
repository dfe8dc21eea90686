/** Bare repositories on disk for hosted repos: create with slipway's hooks, delete, read refs. */

import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "./git-cli";
import type { RepoName } from "./repo-names";
import { postReceiveHook, preReceiveHook } from "./receive-hooks";

export function bareRepoPath(gitRoot: string, repo: RepoName): string {
  return join(gitRoot, repo.owner, `${repo.name}.git`);
}

export async function createBareRepo(path: string, options: { defaultBranch: string; branchPatterns: string[] }): Promise<void> {
  await mkdir(path, { recursive: true });
  await git(["init", "--bare", "--quiet", `--initial-branch=${options.defaultBranch}`], path);
  // Smart HTTP only; receive-pack over HTTP must be enabled explicitly for authenticated users.
  await git(["config", "http.receivepack", "true"], path);
  await git(["config", "receive.denyDeleteCurrent", "warn"], path);
  await git(["config", "uploadpack.allowFilter", "true"], path);
  await git(["config", "uploadpack.allowReachableSHA1InWant", "true"], path);
  await installReceiveHooks(path, options.branchPatterns);
}

export async function installReceiveHooks(path: string, branchPatterns: string[]): Promise<void> {
  const hooks = join(path, "hooks");
  await mkdir(hooks, { recursive: true });
  for (const [name, body] of [["pre-receive", preReceiveHook(branchPatterns)], ["post-receive", postReceiveHook()]] as const) {
    await writeFile(join(hooks, name), body);
    await chmod(join(hooks, name), 0o755);
  }
}

export async function deleteBareRepo(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Every ref with its target, e.g. `refs/heads/main` → sha. */
export async function listRefs(path: string): Promise<Map<string, string>> {
  const out = await git(["for-each-ref", "--format=%(objectname) %(refname)"], path);
  const refs = new Map<string, string>();
  for (const line of out.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs;
}
