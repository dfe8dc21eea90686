/** The `git` CLI as a function: arguments in, stdout out, a SlipwayError with git's message on failure. */

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SlipwayError } from "../core/errors";

const execFileAsync = promisify(execFile);

/**
 * Variables git sets for hooks (and users set by hand) that would point our git calls at another
 * repository or index: `slipway` must operate on the repository it names, also inside a git hook.
 */
const repositoryOverrides = ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE"];

export function gitFreeEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of repositoryOverrides) delete clean[name];
  return clean;
}

/** Runs git in `cwd`. Without `options.env`, repository overrides from the environment are dropped. */
export async function git(args: string[], cwd: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024, env: options.env ?? gitFreeEnvironment() });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new SlipwayError("GIT_FAILED", `git ${args.join(" ")}: ${stderr || (error as Error).message}`);
  }
}

/** Like `git`, but undefined instead of an error (for probes such as rev-parse --verify). */
export async function gitMaybe(args: string[], cwd: string): Promise<string | undefined> {
  try {
    return await git(args, cwd);
  } catch {
    return undefined;
  }
}
