/** Shared test helpers for the host executor: temp dirs, pid liveness, a recording log sink. */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Annotation, LogSink } from "../../../src/workflow/executors/host/log-processor";

export async function makeTempDir(prefix = "slipway-exec-"): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** An environment with just what shells need. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LANG: "C.UTF-8", ...extra };
}

/**
 * True while the pid names a live process. process.kill(pid, 0) also succeeds for zombies, and on machines whose
 * pid 1 does not reap orphans (this one) a killed orphan stays a zombie forever: a zombie has ended, so it counts as gone.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

export async function readPids(file: string): Promise<number[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split(/\s+/)
    .filter((word) => word !== "")
    .map(Number);
}

/** Polls until the file lists at least `count` pids. */
export async function waitForPids(file: string, count: number, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await readPids(file);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) throw new Error(`only ${pids.length} of ${count} pids appeared in ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Last resort so a failing test never leaves processes behind. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}

export class RecordingSink implements LogSink {
  readonly lines: string[] = [];
  readonly annotations: Annotation[] = [];
  line(text: string): void {
    this.lines.push(text);
  }
  annotation(annotation: Annotation): void {
    this.annotations.push(annotation);
  }
}
