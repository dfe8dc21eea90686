/**
 * Driving the built `slipway` CLI as a subprocess: temp git repositories made with the real `git`,
 * runs with captured output and exit code, and a /proc scan for processes a step left behind.
 */

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const checkout = fileURLToPath(new URL("../../", import.meta.url));
export const slipwayBin = join(checkout, "bin/slipway.js");
const bundle = join(checkout, "dist/slipway.js");

/** `npm test` builds first; a bare `vitest run` on a fresh checkout would otherwise fail obscurely. */
export function assertBuilt(): void {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first (npm test does).`);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment slipway sees: no colours, no ambient secrets or data directory from the caller. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith("SLIPWAY_") || key.startsWith("VITEST") || key.startsWith("GIT_")) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Starts `node bin/slipway.js ARGS` in cwd; the caller owns the child. */
export function startSlipway(args: string[], cwd: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [slipwayBin, ...args], { cwd, env: cliEnv(extraEnv), stdio: ["ignore", "pipe", "pipe"] });
}

/** Collects a child's output and resolves when it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function slipway(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return finished(startSlipway(args, cwd, extraEnv));
}

/** Parses stdout as JSON, failing with the whole output when it is not. */
export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

export interface TempRepo {
  dir: string;
  write(path: string, content: string): Promise<void>;
  commit(message?: string): void;
  remove(): Promise<void>;
}

function git(dir: string, args: string[]): string {
  return execFileSync("git", args, { cwd: dir, env: cliEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A fresh repository on `main` with the given files committed. */
export async function makeRepo(files: Record<string, string>): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-cli-"));
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["config", "user.email", "ci@example.test"]);
  git(dir, ["config", "user.name", "CLI Test"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  const repo: TempRepo = {
    dir,
    write: async (path, content) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    },
    commit: (message = "change") => {
      git(dir, ["add", "-A"]);
      git(dir, ["commit", "-q", "--allow-empty", "-m", message]);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  for (const [path, content] of Object.entries(files)) await repo.write(path, content);
  repo.commit("initial");
  return repo;
}

/** A `sleep` argument no other process on the machine has: `1000.<random>`. */
export function uniqueSleepMarker(): string {
  return `1000.${randomInt(100_000, 999_999)}`;
}

/** Live processes whose command line contains the marker as one argument (zombies have no cmdline and do not count). */
export async function processesWithArgument(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.split("\0").some((arg) => arg.startsWith(marker))) pids.push(Number(entry));
  }
  return pids;
}

/** Safety net after a test: ends the processes carrying our marker (ones our own step started), by pid. */
export async function killMarked(marker: string): Promise<void> {
  for (const pid of await processesWithArgument(marker)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Kills a slipway child if a failed test left it running. */
export function killIfRunning(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function workflowPath(name: string): string {
  return `.github/workflows/${name}`;
}

/** The lines of a `slipway logs` output, to match whole lines: a script's own text also shows in its "Run" header. */
export function lines(text: string): string[] {
  return text.split("\n");
}
