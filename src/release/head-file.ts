/**
 * HEAD's commit read from the repository's files, without spawning git: `HEAD` holding a SHA or a branch, the
 * branch as a loose ref or in `packed-refs`. Anything else (a `.git` file, reftable, a symbolic ref to a tag)
 * gives undefined and the caller asks git. Used only as a hint: git's own answer decides.
 */

import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export function readHeadFromFiles(repoDir: string): string | undefined {
  try {
    const dotGit = join(repoDir, ".git");
    const gitDir = isDirectory(dotGit) ? dotGit : repoDir;
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (sha.test(head)) return head;
    const ref = /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
    if (!ref || ref.split("/").includes("..")) return undefined;
    const loose = readOptional(join(gitDir, ref))?.trim();
    if (loose !== undefined) return sha.test(loose) ? loose : undefined;
    const packed = readOptional(join(gitDir, "packed-refs"));
    const line = packed?.split("\n").find((entry) => entry.endsWith(` ${ref}`));
    const packedSha = line?.slice(0, line.indexOf(" "));
    return packedSha && sha.test(packedSha) ? packedSha : undefined;
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
