/** Shared by the demo tests: the JSON summary `slipway up --demo --json` prints, stopping it, and processes it left. */

import type { ChildProcess } from "node:child_process";
import { readdir, readFile, readlink } from "node:fs/promises";

/** Processes whose command line or working directory lies under `dir` (replicas, steps). */
export async function processesUnder(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(Number(entry));
  }
  return found;
}

/** Collects the child's stdout until it holds one whole JSON document (the summary `up --demo --json` prints once it is up). */
export function jsonFrom<T>(child: ChildProcess, timeoutMs: number): Promise<{ value: T; stderr: () => string }> {
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no JSON summary after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.once("exit", (code) => reject(new Error(`slipway up --demo exited ${code} before its summary; stderr:\n${stderr}`)));
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      try {
        const value = JSON.parse(stdout) as T;
        clearTimeout(timer);
        resolve({ value, stderr: () => stderr });
      } catch {
        // not whole yet
      }
    });
  });
}

/** Sends SIGTERM (unless it has exited already) and resolves with the exit code. */
export async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  return exited;
}
