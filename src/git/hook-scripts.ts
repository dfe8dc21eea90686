/** Client-side git hooks that `slipway hooks install` writes: both call back into slipway. */

import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "./git-cli";

const marker = "# installed by slipway hooks install";

function hookScript(slipwayBin: string, hook: "pre-commit" | "commit-msg"): string {
  const args = hook === "commit-msg" ? ' "$1"' : "";
  return `#!/bin/sh\n${marker}\nexec "${process.execPath}" "${slipwayBin}" hooks run ${hook}${args}\n`;
}

/** Installs pre-commit and commit-msg; an existing hook that slipway did not write is kept unless forced. */
export async function installClientHooks(repoDir: string, slipwayBin: string, force: boolean): Promise<{ installed: string[]; skipped: string[] }> {
  const hooksDir = join(repoDir, (await git(["rev-parse", "--git-path", "hooks"], repoDir)).trim());
  await mkdir(hooksDir, { recursive: true });
  const installed: string[] = [];
  const skipped: string[] = [];
  for (const hook of ["pre-commit", "commit-msg"] as const) {
    const path = join(hooksDir, hook);
    const existing = await readFile(path, "utf8").catch(() => undefined);
    if (existing !== undefined && !existing.includes(marker) && !force) {
      skipped.push(hook);
      continue;
    }
    await writeFile(path, hookScript(slipwayBin, hook));
    await chmod(path, 0o755);
    installed.push(hook);
  }
  return { installed, skipped };
}

/** A commit of the staged tree on top of HEAD, reachable from no ref: what the commit about to be made contains. */
export async function stagedTreeCommit(repoDir: string): Promise<string> {
  // Inside the hook GIT_INDEX_FILE names the index being committed (a temporary one for `commit -a`): keep it here.
  const tree = (await git(["write-tree"], repoDir, { env: process.env })).trim();
  const head = (await git(["rev-parse", "--verify", "--quiet", "HEAD"], repoDir).catch(() => "")).trim();
  const env = { ...process.env, GIT_AUTHOR_NAME: "slipway", GIT_AUTHOR_EMAIL: "hooks@slipway.local", GIT_COMMITTER_NAME: "slipway", GIT_COMMITTER_EMAIL: "hooks@slipway.local" };
  return (await git(["commit-tree", tree, ...(head ? ["-p", head] : []), "-m", "slipway pre-commit: staged changes"], repoDir, { env })).trim();
}
