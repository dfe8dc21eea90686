/** Repositories mirrored from a remote (e.g. GitHub): fetch on a webhook, then the same push events as a real push. */

import { git } from "../../git/git-cli";
import type { RepoRecord } from "../../store";

/** Fetches every branch and tag from the mirror's remote into the hosted bare repository. */
export async function fetchMirror(repoPath: string, repo: RepoRecord): Promise<void> {
  if (!repo.mirrorUrl) return;
  await git(["fetch", "--quiet", "--prune", "--force", repo.mirrorUrl, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], repoPath);
}
