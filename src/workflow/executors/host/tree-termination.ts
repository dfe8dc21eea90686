/** Remembers every process a step started (group, ppid links, environment marker) and ends them all: SIGTERM, grace, SIGKILL. */

import { readFile } from "node:fs/promises";
import {
  findDescendants,
  findProcessesWithEnvironment,
  isSameProcessRunning,
  readProcessEntry,
  readProcessTable,
  type ProcessEntry,
} from "./proc-table";

const pollIntervalMs = 50;
/** After SIGKILL, how long to wait for the processes to disappear. */
const killSettleMs = 1000;

/** Set in the environment of every process runProcess starts; inherited by all descendants, even after setsid. */
export const processTrackingVariable = "SLIPWAY_PROCESS_TRACKING_ID";

async function readTrackingMarker(pid: number): Promise<EnvironmentMarker | undefined> {
  const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
  const prefix = `${processTrackingVariable}=`;
  const entry = environ.split("\0").find((item) => item.startsWith(prefix));
  return entry ? { name: processTrackingVariable, value: entry.slice(prefix.length) } : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sendSignal(target: number, signal: NodeJS.Signals): void {
  // Never signal ourselves, our own group, init, or "every process" (-1).
  if (Math.abs(target) <= 1 || target === process.pid || target === -process.pid) return;
  try {
    process.kill(target, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours. Either way nothing more to do.
  }
}

export interface TrackedRoot {
  pid: number;
  /** The child leads its own process group (spawned detached): signal the whole group too. */
  leadsGroup: boolean;
}

/** A marker in the environment of every process of the tree, inherited through forks, setsid and exec. */
export interface EnvironmentMarker {
  name: string;
  value: string;
}

export class ProcessTreeTracker {
  /** pid → start time of every descendant ever seen, so orphans re-parented to init are still found. */
  private readonly known = new Map<number, number>();
  private readonly groups = new Set<number>();
  private scanning: Promise<void> | undefined;
  private rootExited = false;

  constructor(
    private readonly root: TrackedRoot,
    private readonly marker?: EnvironmentMarker,
  ) {
    if (root.leadsGroup) this.groups.add(root.pid);
  }

  /** After the child was reaped its pid may be reused: stop treating that pid as ours. */
  markRootExited(): void {
    this.rootExited = true;
  }

  /** Takes a snapshot of the tree; concurrent callers share one scan. */
  snapshot(includeMarker = false): Promise<void> {
    if (this.scanning && !includeMarker) return this.scanning;
    const scan = this.scan(includeMarker).finally(() => {
      if (this.scanning === scan) this.scanning = undefined;
    });
    this.scanning = scan;
    return scan;
  }

  private remember(entry: ProcessEntry): void {
    if (entry.pid === process.pid || entry.pid <= 1) return;
    this.known.set(entry.pid, entry.startTime);
  }

  private async scan(includeMarker: boolean): Promise<void> {
    const table = await readProcessTable();
    const roots = [...this.known.keys()].filter((pid) => table.get(pid)?.startTime === this.known.get(pid));
    if (!this.rootExited && table.has(this.root.pid)) roots.push(this.root.pid);
    for (const entry of findDescendants(table, roots)) this.remember(entry);
    if (this.root.leadsGroup) {
      for (const entry of table.values()) if (entry.pgid === this.root.pid) this.remember(entry);
    }
    if (includeMarker && this.marker) {
      for (const entry of await findProcessesWithEnvironment(this.marker.name, this.marker.value)) this.remember(entry);
    }
  }

  /** Pids of remembered processes that still run (zombies count as gone). */
  runningPids(): number[] {
    const running: number[] = [];
    for (const [pid, startTime] of this.known) {
      if (isSameProcessRunning(pid, startTime)) running.push(pid);
      else this.known.delete(pid);
    }
    return running;
  }

  private signalAll(signal: NodeJS.Signals): void {
    for (const pgid of this.groups) sendSignal(-pgid, signal);
    if (!this.rootExited) sendSignal(this.root.pid, signal);
    for (const pid of this.runningPids()) sendSignal(pid, signal);
  }

  /**
   * SIGTERM to the group and every known descendant, re-scanning during the grace period to catch
   * new forks, then SIGKILL to whatever is left. `rootRunning` says whether the child itself has not exited yet.
   */
  async terminate(graceMs: number, rootRunning: () => boolean): Promise<void> {
    if (!rootRunning()) this.markRootExited();
    await this.snapshot(true);
    this.signalAll("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())));
      await this.snapshot(false);
      const survivors = this.runningPids();
      if (!rootRunning()) this.markRootExited();
      if (survivors.length === 0 && this.rootExited) return;
      // Forked after the first signal (e.g. from a trap): they get SIGTERM too.
      for (const pid of survivors) sendSignal(pid, "SIGTERM");
    }
    await this.snapshot(true);
    this.signalAll("SIGKILL");
    // SIGKILL cannot be caught, but dying takes a moment: return once nothing known still runs.
    const killDeadline = Date.now() + killSettleMs;
    while (this.runningPids().length > 0 && Date.now() < killDeadline) await sleep(10);
  }
}

/**
 * Ends a process and everything below it: by ppid links, its process group if it leads one, and, when it was
 * started by runProcess, every process carrying its tracking marker (double-forked daemons included).
 */
export async function killProcessTree(pid: number, options: { graceMs?: number } = {}): Promise<void> {
  const entry = await readProcessEntry(pid);
  if (!entry) return;
  const tracker = new ProcessTreeTracker({ pid, leadsGroup: entry.pgid === pid }, await readTrackingMarker(pid));
  await tracker.snapshot();
  await tracker.terminate(options.graceMs ?? 5000, () => isSameProcessRunning(pid, entry.startTime));
}

/**
 * Ends every process whose environment holds `name=value`, and their descendants. GitHub's runner does
 * this with RUNNER_TRACKING_ID at the end of a job to clean up what steps left running in the background.
 */
export async function killProcessesWithEnvironment(name: string, value: string, options: { graceMs?: number } = {}): Promise<number[]> {
  const matches = await findProcessesWithEnvironment(name, value);
  const pids = matches.map((entry) => entry.pid);
  await Promise.all(
    matches.map(async (entry) => {
      const tracker = new ProcessTreeTracker({ pid: entry.pid, leadsGroup: false }, { name, value });
      await tracker.snapshot();
      await tracker.terminate(options.graceMs ?? 5000, () => isSameProcessRunning(entry.pid, entry.startTime));
    }),
  );
  return pids;
}
