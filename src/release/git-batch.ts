/**
 * Several read-only git commands in one spawned shell, all at once: each spawn from Node costs milliseconds of
 * main-thread time, a shell's far less, and git's own start-up then overlaps. Each command writes to a pipe of
 * its own (fd 3, 4, …), so outputs never mix; the shell prints the exit statuses in order on stdout.
 */

import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { SlipwayError } from "../core/errors";
import { gitFreeEnvironment } from "../git/git-cli";

export interface BatchResult {
  stdout: string;
  /** The command's exit status. */
  code: number;
}

export interface Batch {
  results: BatchResult[];
  /** Every command's standard error (interleaved when several fail). */
  stderr: string;
}

/** A shell redirects single-digit descriptors only: fds 3 to 9. */
const maxCommands = 7;

/** Runs `git <args>` for each command at once in one `sh`; arguments go in as positional parameters, never as shell text. */
export async function gitBatch(commands: string[][], cwd: string): Promise<Batch> {
  if (commands.length === 0 || commands.length > maxCommands) throw new Error(`gitBatch takes 1 to ${maxCommands} commands, not ${commands.length}`);
  const args: string[] = [];
  const lines = commands.map((command, index) => {
    const refs = command.map((arg) => {
      args.push(arg);
      return `"\${${args.length}}"`;
    });
    return `git ${refs.join(" ")} >&${index + 3} & p${index}=$!`;
  });
  lines.push(commands.map((_, index) => `wait "$p${index}"; printf '%d ' $?`).join("; "));
  const child = spawn("/bin/sh", ["-c", lines.join("\n"), "sh", ...args], { cwd, env: gitFreeEnvironment(), stdio: ["ignore", "pipe", "pipe", ...commands.map(() => "pipe" as const)] });
  const outputs = child.stdio.slice(3).map((stream) => collect(stream as Readable | null));
  const [statuses, stderr] = [collect(child.stdout), collect(child.stderr)];
  const exit = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", () => resolve());
  });
  try {
    await exit;
  } catch (error) {
    throw new SlipwayError("GIT_FAILED", `git (${commands.map((c) => c[0]).join(", ")}): ${(error as Error).message}`);
  }
  const codes = (await statuses).trim().split(" ").map(Number);
  const texts = await Promise.all(outputs);
  const results = commands.map((_, index) => ({ stdout: texts[index] ?? "", code: codes[index] ?? -1 }));
  const failed = results.findIndex((result) => result.code < 0 || Number.isNaN(result.code));
  const errors = await stderr;
  if (failed !== -1) throw new SlipwayError("GIT_FAILED", `git ${commands[failed].join(" ")}: no result${errors ? ` (${errors.trim()})` : ""}`);
  return { results, stderr: errors };
}

function collect(stream: Readable | null | undefined): Promise<string> {
  if (!stream) return Promise.resolve("");
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.once("error", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
