/** Several read-only git commands in one spawned shell: each spawn from Node costs 5–10 ms of main-thread time, a shell's far less. */

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { SlipwayError } from "../core/errors";
import { gitFreeEnvironment } from "../git/git-cli";

const execFileAsync = promisify(execFile);

export interface BatchResult {
  stdout: string;
  /** The command's exit status. */
  code: number;
}

export interface Batch {
  results: BatchResult[];
  /** Every command's standard error, in order. */
  stderr: string;
}

/** Runs `git <args>` for each command in order in one `sh`; arguments go in as positional parameters, never as shell text. */
export async function gitBatch(commands: string[][], cwd: string): Promise<Batch> {
  const args: string[] = [];
  const lines = commands.map((command) => {
    const refs = command.map((arg) => {
      args.push(arg);
      return `"\${${args.length}}"`;
    });
    // Group separator (0x1d) around each exit status: no git output we read holds it (ref names cannot).
    return `git ${refs.join(" ")}; printf '\\035%d\\035' $?`;
  });
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await execFileAsync("/bin/sh", ["-c", lines.join("\n"), "sh", ...args], { cwd, env: gitFreeEnvironment(), maxBuffer: 64 * 1024 * 1024 }));
  } catch (error) {
    throw new SlipwayError("GIT_FAILED", `git (${commands.map((c) => c[0]).join(", ")}): ${(error as Error).message}`);
  }
  const parts = stdout.split("\x1d");
  const results = commands.map((_, index) => ({ stdout: parts[index * 2] ?? "", code: Number(parts[index * 2 + 1] ?? "-1") }));
  const failed = results.findIndex((result) => result.code < 0 || Number.isNaN(result.code));
  if (failed !== -1) throw new SlipwayError("GIT_FAILED", `git ${commands[failed].join(" ")}: no result${stderr ? ` (${stderr.trim()})` : ""}`);
  return { results, stderr };
}
