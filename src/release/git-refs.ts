/** Repository facts for a release in one batch of git calls: the head commit and branch, tags, the origin URL, the common dir; merged tags. */

import { isAbsolute, join } from "node:path";
import { SlipwayError } from "../core/errors";
import { git } from "../git/git-cli";
import { gitBatch } from "./git-batch";
import { logArguments, parseLog, type LogRange } from "./git-history";
import type { LoggedCommit } from "./history-stream";
import type { TagRef } from "./release-tags";

export interface RepositoryFacts {
  headSha: string;
  /** Short branch name, or undefined when HEAD is detached or another commit was asked for. */
  branch?: string;
  tags: TagRef[];
  originUrl?: string;
  /** Absolute `--git-common-dir` (`.git`, or the repository itself when bare): where caches live. */
  commonDir: string;
  /** The commits of `log`, when asked for and git listed them. */
  logged?: LoggedCommit[];
}

/** `log`, when given, lists a range in the same batch (the commits a release cache lacks): a failure leaves `logged` out. */
export async function readRepositoryFacts(repoDir: string, head: string, wantOrigin: boolean, log?: LogRange): Promise<RepositoryFacts> {
  const commands = [
    ["rev-parse", "--git-common-dir", `${head}^{commit}`, "--abbrev-ref", "HEAD"],
    ["for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)", "refs/tags"],
    ["config", "--get", "remote.origin.url"],
  ];
  if (!wantOrigin) commands.pop();
  if (log) commands.push(logArguments(log));
  // One spawn for all of them (the release's fixed cost is mostly spawning).
  const { results, stderr } = await gitBatch(commands, repoDir);
  const failed = results.findIndex((result, index) => result.code !== 0 && index < 2);
  if (failed !== -1) throw new SlipwayError("GIT_FAILED", `git ${commands[failed].join(" ")}: ${stderr.trim() || `exit ${results[failed].code}`}`);
  const [revParse, tagList] = [results[0].stdout, results[1].stdout];
  const origin = wantOrigin && results[2].code === 0 ? results[2].stdout : undefined;
  const logResult = log ? results[results.length - 1] : undefined;
  const [commonDir, headSha, currentBranch] = revParse.trim().split("\n");
  const tags: TagRef[] = [];
  for (const line of tagList.split("\n")) {
    if (!line) continue;
    const [name, object, peeled] = line.split("\0");
    tags.push({ name, commit: peeled || object });
  }
  const isHead = head === "HEAD";
  return {
    headSha,
    branch: isHead && currentBranch && currentBranch !== "HEAD" ? currentBranch : undefined,
    tags,
    originUrl: origin?.trim() || undefined,
    commonDir: isAbsolute(commonDir) ? commonDir : join(repoDir, commonDir),
    ...(logResult?.code === 0 ? { logged: parseLog(logResult.stdout) } : {}),
  };
}

/** Tags whose commit is in the head's history: a walk of the whole history, so only asked when needed. */
export async function readMergedTags(repoDir: string, head: string): Promise<Set<string>> {
  const list = await git(["for-each-ref", `--merged=${head}`, "--format=%(refname:strip=2)", "refs/tags"], repoDir);
  return new Set(list.split("\n").filter(Boolean));
}

/** `git@host:org/repo.git` and `https://host/org/repo.git` → `https://host/org/repo`; local paths give nothing. */
export function webUrlFromRemote(remote: string | undefined): string | undefined {
  if (!remote) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  const url = /^(https?):\/\/(?:[^@/]+@)?([^/]+)\/(.+?)(?:\.git)?\/?$/.exec(remote);
  if (url) return `${url[1]}://${url[2]}/${url[3]}`;
  const ssh = /^ssh:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(remote);
  return ssh ? `https://${ssh[1]}/${ssh[2]}` : undefined;
}
