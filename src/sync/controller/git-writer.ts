/** Writes to the environment repo so git matches what runs: a revert commit, or a path restored to an older revision; retried on a moved head. */

import { SlipwayError } from "../../core/errors";
import { commitToEnvRepo } from "../../gitops/env-clone";
import { git, gitFreeEnvironment, gitMaybe } from "../../git/git-cli";

export interface GitIdentity {
  name: string;
  email: string;
}

export interface EnvRepoWriterOptions {
  /** The environment repo (bare, or any repo a clone can push to). */
  repoDir: string;
  /** The branch Applications track (`targetRevision`). */
  branch: string;
  identity?: GitIdentity;
  /** Attempts when the push is rejected because the branch moved. Default 5. */
  attempts?: number;
}

const defaultIdentity: GitIdentity = { name: "slipway", email: "slipway@localhost" };

function identityEnv(identity: GitIdentity): NodeJS.ProcessEnv {
  return { ...gitFreeEnvironment(), GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: identity.name, GIT_AUTHOR_EMAIL: identity.email, GIT_COMMITTER_NAME: identity.name, GIT_COMMITTER_EMAIL: identity.email };
}

/** Makes a commit with `change` on the branch head and pushes it; a push refused on a moved head redoes the change on the new head. */
async function commitOnHead(options: EnvRepoWriterOptions, change: (dir: string, env: NodeJS.ProcessEnv) => Promise<boolean>): Promise<string | undefined> {
  const outcome = await commitToEnvRepo(
    { envRepo: options.repoDir, branch: options.branch, env: identityEnv(options.identity ?? defaultIdentity), attempts: options.attempts ?? 5, depth: "full" },
    async ({ dir, env }) => ({ commit: await change(dir, env), value: undefined }),
  );
  return outcome.commit;
}

/** `git revert --no-edit` of `shas` (newest first) on the branch head, pushed; returns the revert commit (undefined: nothing left to revert). */
export async function writeRevertCommit(options: EnvRepoWriterOptions, shas: string[], reason: string): Promise<string | undefined> {
  if (shas.length === 0) return undefined;
  return commitOnHead(options, async (dir, env) => {
    const before = (await git(["rev-parse", "HEAD"], dir, { env })).trim();
    for (const sha of shas) {
      const onBranch = await gitMaybe(["merge-base", "--is-ancestor", sha, "HEAD"], dir);
      if (onBranch === undefined) throw new SlipwayError("CONFLICT", `commit ${sha} is not on ${options.branch} of the environment repo: nothing to revert`);
    }
    try {
      await git(["revert", "--no-edit", ...shas], dir, { env });
    } catch (error) {
      await gitMaybe(["revert", "--abort"], dir);
      throw new SlipwayError("CONFLICT", `could not revert ${shas.map((sha) => sha.slice(0, 12)).join(", ")} on ${options.branch}: ${(error as Error).message}`, { hint: "A later commit changed the same lines; fix the environment repo by hand." });
    }
    const after = (await git(["rev-parse", "HEAD"], dir, { env })).trim();
    if (after === before) return false;
    const message = (await git(["log", "-1", "--format=%B"], dir, { env })).trim();
    await git(["commit", "--quiet", "--amend", "-m", `${message}\n\nslipway: ${reason}`], dir, { env });
    return true;
  });
}

/** Makes `path` on the branch head hold what it held at `revision` and pushes; undefined when it already does. */
export async function writeRestoreCommit(options: EnvRepoWriterOptions, path: string, revision: string, message: string): Promise<string | undefined> {
  return commitOnHead(options, async (dir, env) => {
    await git(["rm", "-r", "--quiet", "--ignore-unmatch", "--", path], dir, { env });
    const existed = await gitMaybe(["cat-file", "-e", `${revision}:${path}`], dir);
    if (existed !== undefined) await git(["checkout", revision, "--", path], dir, { env });
    const status = (await git(["status", "--porcelain"], dir, { env })).trim();
    if (status === "") return false;
    await git(["add", "--all", "--", path], dir, { env });
    await git(["commit", "--quiet", "-m", message], dir, { env });
    return true;
  });
}
