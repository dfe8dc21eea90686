/** Promotion as a git write: verify the tag, rewrite only the image fields of envs/<env>/<service>/, commit, push, redo on a moved head. */

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SlipwayError } from "../core/errors";
import { git, gitFreeEnvironment } from "../git/git-cli";
import { commitToEnvRepo, type ChangeOutcome, type EnvClone } from "./env-clone";
import { findImageFiles } from "./env-repo";
import { imagesInFile } from "./promote-images";
import { promoteCommitMessage } from "./promote-message";
import { promotionTag, promotionVersion, verifyImageTag, type PromoteRegistry } from "./promote-tag";
import { directoryReader } from "./render/manifest-reader";
import { writeBackImage } from "./write-back";

export interface PromoteOptions {
  /** The environment repo: a git URL or a path. */
  envRepo: string;
  service: string;
  /** `1.2.0` (or `v1.2.0`): the image tag is `v1.2.0`. */
  version: string;
  env: string;
  /** The image's repository in the registry, host included: `127.0.0.1:7700/acme/shop/web`. */
  image: string;
  registry?: PromoteRegistry;
  /** The application commit the version was built from (a trailer). */
  sourceCommit?: string;
  /** The workflow run that promoted (a trailer). */
  runId?: string | number;
  /** Who promoted: the commit's author and a trailer. */
  actor: string;
  /** Check that `image:v<version>` exists in the registry first. Default true. */
  verifyTag?: boolean;
  /** Default: the env repo's HEAD branch. */
  branch?: string;
  /** Push attempts under concurrent promotions. Default 20. */
  attempts?: number;
}

export interface PromoteResult {
  /** The pushed commit; undefined when the environment was already at the version. */
  commit?: string;
  alreadyAtVersion: boolean;
  branch: string;
  /** Repository-relative files the commit changed. */
  changedFiles: string[];
  /** The image the environment ran before (undefined when the files did not agree on one). */
  previousImage?: string;
  newImage: string;
  /** 1 + the times the push met a moved head and the rewrite was redone. */
  attempts: number;
}

interface Rewrite {
  changedFiles: string[];
  previousImage?: string;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkName(kind: string, value: string): void {
  if (!namePattern.test(value)) throw new SlipwayError("REQUEST_INVALID", `invalid ${kind} name: "${value}"`, { hint: "Names are letters, digits, '.', '_' and '-' (they are directories under envs/)." });
}

/** The identity of the promotion commit: the actor as author, the environment's committer (or slipway). */
function commitEnvironment(actor: string): NodeJS.ProcessEnv {
  const env = gitFreeEnvironment();
  return {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: actor,
    GIT_AUTHOR_EMAIL: `${actor}@slipway.local`,
    GIT_COMMITTER_NAME: env.GIT_COMMITTER_NAME ?? "slipway",
    GIT_COMMITTER_EMAIL: env.GIT_COMMITTER_EMAIL ?? "slipway@localhost",
  };
}

/** Rewrites the image fields on the clone's current head; the files it changed, and what they pointed at before. */
async function rewriteImage(clone: EnvClone, options: PromoteOptions, newImage: string): Promise<Rewrite> {
  const files = await findImageFiles(directoryReader(clone.dir), options.service, options.env, options.image);
  const changedFiles: string[] = [];
  const before = new Set<string>();
  for (const file of files) {
    const path = join(clone.dir, file);
    const text = await readFile(path, "utf8");
    for (const image of imagesInFile(text, options.image)) before.add(image);
    const result = writeBackImage(file, text, options.image, newImage);
    if (result.changed === 0 || result.text === text) continue;
    await writeFile(path, result.text);
    changedFiles.push(file);
  }
  const previous = [...before].filter((image) => image !== newImage);
  return { changedFiles, previousImage: previous.length === 1 ? previous[0] : before.size === 1 ? [...before][0] : undefined };
}

/**
 * Points (service, env) at `image:v<version>` with one commit on the env repo's branch. Concurrent promotions of any
 * services all land: a push refused because the branch moved is redone on the new head.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  checkName("service", options.service);
  checkName("environment", options.env);
  const version = promotionVersion(options.version);
  const tag = promotionTag(version, options.env);
  const newImage = `${options.image}:${tag}`;
  if (options.verifyTag ?? true) await verifyImageTag(options.image, tag, options.registry);
  const env = commitEnvironment(options.actor);
  const outcome = await commitToEnvRepo({ envRepo: options.envRepo, branch: options.branch, attempts: options.attempts, env }, async (clone): Promise<ChangeOutcome<Rewrite>> => {
    const rewrite = await rewriteImage(clone, options, newImage);
    if (rewrite.changedFiles.length === 0) return { commit: false, value: rewrite };
    const message = promoteCommitMessage({ service: options.service, version, env: options.env, newImage, previousImage: rewrite.previousImage, sourceCommit: options.sourceCommit, runId: options.runId === undefined ? undefined : String(options.runId), actor: options.actor });
    await git(["add", "--", ...rewrite.changedFiles], clone.dir, { env });
    await git(["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message], clone.dir, { env });
    return { commit: true, value: rewrite };
  });
  return {
    commit: outcome.commit,
    alreadyAtVersion: outcome.commit === undefined,
    branch: outcome.branch,
    changedFiles: outcome.value.changedFiles,
    previousImage: outcome.value.previousImage,
    newImage,
    attempts: outcome.attempts,
  };
}
