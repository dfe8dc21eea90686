/** A ManifestReader over one commit of a git repository (`git ls-tree` once, blobs through batched `git cat-file --batch`). */

import { SlipwayError } from "../../core/errors";
import { git, gitMaybe } from "../../git/git-cli";
import { GitBlobBatch } from "./git-blob-batch";
import { isUnder, normalizeRepoPath, type ManifestReader } from "../../gitops/render/manifest-reader";

/** The commit a revision (branch, tag, SHA) names in `repoDir` (bare or not). */
export async function resolveRevision(repoDir: string, revision: string): Promise<string> {
  const candidates = revision === "HEAD" || /^[0-9a-f]{7,40}$/.test(revision) ? [revision] : [`refs/heads/${revision}`, `refs/tags/${revision}`, revision];
  for (const candidate of candidates) {
    const sha = (await gitMaybe(["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], repoDir))?.trim();
    if (sha) return sha;
  }
  throw new SlipwayError("NOT_FOUND", `revision "${revision}" does not exist in the environment repo`);
}

/** Reads files of commit `sha`; the tree is listed once, blobs are read in batches and cached. */
export function gitCommitReader(repoDir: string, sha: string): ManifestReader {
  let tree: Promise<Map<string, string>> | undefined;
  const blobs = new Map<string, Promise<string>>();
  const batch = new GitBlobBatch(repoDir);
  const listTree = (): Promise<Map<string, string>> => {
    tree ??= git(["ls-tree", "-r", "-z", "--full-tree", sha], repoDir).then((out) => {
      const entries = new Map<string, string>();
      for (const record of out.split("\0")) {
        const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/s.exec(record);
        if (match) entries.set(match[2], match[1]);
      }
      return entries;
    });
    return tree;
  };
  return {
    async read(path) {
      const oid = (await listTree()).get(normalizeRepoPath(path));
      if (oid === undefined) return undefined;
      let blob = blobs.get(oid);
      if (!blob) {
        blob = batch.read(oid);
        blobs.set(oid, blob);
      }
      return blob;
    },
    async list(dir) {
      const root = normalizeRepoPath(dir);
      return [...(await listTree()).keys()].filter((path) => isUnder(path, root)).sort();
    },
  };
}
