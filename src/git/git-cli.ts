/** The `git` CLI as a function: arguments in, stdout out, a SlipwayError with git's message on failure. */

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SlipwayError } from "../core/errors";

const execFileAsync = promisify(execFile);

export async function git(args: string[], cwd: string, options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env });
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
