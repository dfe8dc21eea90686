/** Builds the trigger event for `slipway run` from a local working copy, shaped like GitHub's payloads. */

import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { git } from "../../git/git-cli";
import { changedPaths, currentBranchRef, parentCommit, repositoryName, resolveCommit, userName, zeroSha } from "../../git/local-repo";
import type { EventName, TriggerEvent } from "../trigger-event";
import { shortRefName } from "../trigger-event";

export interface LocalEventRequest {
  repoDir: string;
  event: EventName;
  /** A revision to run; default HEAD. */
  rev?: string;
  /** The ref the run claims (default: the current branch); e.g. `refs/heads/main`. */
  ref?: string;
  /** pull_request: the target branch (default main). */
  base?: string;
  /** pull_request activity type (default opened). */
  action?: string;
  inputs?: Record<string, string | number | boolean>;
  schedule?: string;
}

async function headCommit(repoDir: string, sha: string): Promise<JsonObject> {
  const [message, timestamp, name, email] = (await git(["show", "-s", "--format=%B%x00%cI%x00%an%x00%ae", sha], repoDir)).split("\0");
  return { id: sha, message: (message ?? "").trim(), timestamp: (timestamp ?? "").trim(), author: { name: name ?? "", email: (email ?? "").trim() } };
}

export async function buildLocalEvent(request: LocalEventRequest): Promise<TriggerEvent> {
  const { repoDir } = request;
  const sha = await resolveCommit(repoDir, request.rev ?? "HEAD");
  const branchRef = request.ref ?? (await currentBranchRef(repoDir)) ?? `refs/heads/detached`;
  const ref = branchRef.startsWith("refs/") ? branchRef : `refs/heads/${branchRef}`;
  const repository = await repositoryName(repoDir);
  const actor = await userName(repoDir);
  const [owner, name] = repository.split("/");
  const repo: JsonObject = { full_name: repository, name: name ?? repository, owner: { login: owner ?? "" }, default_branch: "main" };
  const before = await parentCommit(repoDir, sha);
  const commit = await headCommit(repoDir, sha);
  const base: Omit<TriggerEvent, "payload"> = { name: request.event, ref, sha, actor, repository };
  switch (request.event) {
    case "push":
      return {
        ...base,
        before: before ?? zeroSha,
        changedPaths: await changedPaths(repoDir, before, sha),
        payload: { ref, before: before ?? zeroSha, after: sha, repository: repo, head_commit: commit, commits: [commit], pusher: { name: actor } },
      };
    case "pull_request": {
      const baseBranch = request.base ?? "main";
      const baseSha = await resolveCommit(repoDir, baseBranch).catch(() => before ?? sha);
      const mergeBase = (await git(["merge-base", baseSha, sha], repoDir).catch(() => baseSha)).trim();
      const headRef = shortRefName(ref);
      const action = request.action ?? "opened";
      return {
        ...base,
        ref: "refs/pull/0/merge",
        action,
        baseRef: baseBranch,
        headRef,
        changedPaths: await changedPaths(repoDir, mergeBase, sha),
        payload: {
          action,
          number: 0,
          repository: repo,
          pull_request: { number: 0, title: commit.message, head: { ref: headRef, sha }, base: { ref: baseBranch, sha: baseSha }, user: { login: actor } },
        },
      };
    }
    case "workflow_dispatch":
      return { ...base, inputs: request.inputs ?? {}, payload: { ref, inputs: (request.inputs ?? {}) as JsonObject, repository: repo } };
    case "schedule":
      return { ...base, schedule: request.schedule, payload: { schedule: request.schedule ?? "", repository: repo } };
    case "workflow_call":
      throw new SlipwayError("USAGE", "workflow_call events come from a calling workflow; run the caller instead.");
  }
}
