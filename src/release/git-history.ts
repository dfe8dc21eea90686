/** Reads commits (with changed paths when asked) in one streaming `git log` over a range. */

import { spawn } from "node:child_process";
import { SlipwayError } from "../core/errors";
import { gitFreeEnvironment } from "../git/git-cli";
import { parseConventionalCommit, type ConventionalCommit } from "./conventional-commit";
import { historyFormat, HistoryStreamParser, type LoggedCommit } from "./history-stream";

export interface HistoryRange {
  /** The commit to release (a SHA). */
  head: string;
  /** Commits reachable from these are left out (their history was released before). */
  exclude: string[];
  /** Ask git for changed paths (needed to tell services apart in a monorepo). */
  withFiles: boolean;
}

export interface LogRange {
  /** Commits to list with their ancestors. */
  heads: string[];
  /** Leave out commits reachable from these; names git does not know are ignored (a cached tip may be gone). */
  not: string[];
  withFiles: boolean;
}

/** Commits newest first, parsed as they stream from git. */
export async function readHistory(repoDir: string, range: HistoryRange): Promise<ConventionalCommit[]> {
  const commits: ConventionalCommit[] = [];
  await streamLog(repoDir, { heads: [range.head], not: range.exclude, withFiles: range.withFiles }, (raw) => commits.push(parseConventionalCommit(raw)));
  return commits;
}

/** Streams `git log` over a range to `onCommit`, newest first (git's default order). */
export function streamLog(repoDir: string, range: LogRange, onCommit: (commit: LoggedCommit) => void): Promise<void> {
  const args = logArguments(range);
  const parser = new HistoryStreamParser(onCommit);
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: repoDir, stdio: ["ignore", "pipe", "pipe"], env: gitFreeEnvironment() });
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => parser.push(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", (error) => reject(new SlipwayError("GIT_FAILED", `git log: ${error.message}`)));
    child.once("close", (code) => {
      if (code !== 0) {
        reject(new SlipwayError("GIT_FAILED", `git ${args.join(" ")}: ${stderr.trim() || `exit ${code}`}`));
        return;
      }
      parser.end();
      resolve();
    });
  });
}

/** `git log` arguments (after `git`) that list a range in the format HistoryStreamParser reads. */
export function logArguments(range: LogRange): string[] {
  const args = ["-c", "log.showSignature=false", "log", historyFormat, "-z"];
  // --no-renames: a rename is a delete plus an add, so a move out of a service still counts for it (and it is ~3× faster).
  if (range.withFiles) args.push("--name-only", "--no-renames");
  if (range.not.length > 0) args.push("--ignore-missing");
  args.push(...range.heads, ...range.not.map((sha) => `^${sha}`), "--");
  return args;
}

/** Commits of a whole `git log` output in that format. */
export function parseLog(output: string): LoggedCommit[] {
  const commits: LoggedCommit[] = [];
  const parser = new HistoryStreamParser((commit) => commits.push(commit));
  parser.push(output);
  parser.end();
  return commits;
}
