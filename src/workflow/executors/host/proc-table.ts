/** Reads Linux /proc: the process table (pid, parent, group, start time, state) and environments. */

import { readdir, readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks since boot (field 22): with the pid, it names one process even after pid reuse. */
  startTime: number;
  /** One-letter state; `Z` is a zombie, `X` dead. */
  state: string;
}

/** Parses /proc/PID/stat; the command name may hold spaces and parentheses, so fields start after the last `)`. */
export function parseStatLine(text: string): ProcessEntry | undefined {
  const pidEnd = text.indexOf(" ");
  const commEnd = text.lastIndexOf(")");
  if (pidEnd < 0 || commEnd < 0) return undefined;
  const fields = text.slice(commEnd + 2).split(" ");
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  const entry: ProcessEntry = {
    pid: Number(text.slice(0, pidEnd)),
    state: fields[0],
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    startTime: Number(fields[19]),
  };
  return Number.isInteger(entry.pid) && Number.isInteger(entry.ppid) ? entry : undefined;
}

async function readPids(): Promise<number[]> {
  const names = await readdir("/proc");
  const pids: number[] = [];
  for (const name of names) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  return pids;
}

async function readTextOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined; // the process exited between readdir and read, or is not ours to read
  }
}

export async function readProcessEntry(pid: number): Promise<ProcessEntry | undefined> {
  const text = await readTextOrUndefined(`/proc/${pid}/stat`);
  return text === undefined ? undefined : parseStatLine(text);
}

export function readProcessEntrySync(pid: number): ProcessEntry | undefined {
  try {
    return parseStatLine(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

/** A snapshot of every process visible in /proc. */
export async function readProcessTable(): Promise<Map<number, ProcessEntry>> {
  const pids = await readPids();
  const entries = await Promise.all(pids.map((pid) => readProcessEntry(pid)));
  const table = new Map<number, ProcessEntry>();
  for (const entry of entries) if (entry) table.set(entry.pid, entry);
  return table;
}

/** Every process below the roots in the table, following ppid links (the roots themselves excluded). */
export function findDescendants(table: Map<number, ProcessEntry>, roots: Iterable<number>): ProcessEntry[] {
  const childrenByParent = new Map<number, ProcessEntry[]>();
  for (const entry of table.values()) {
    const siblings = childrenByParent.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else childrenByParent.set(entry.ppid, [entry]);
  }
  const found = new Map<number, ProcessEntry>();
  const queue = [...roots];
  const rootSet = new Set(queue);
  while (queue.length > 0) {
    const parent = queue.pop() as number;
    for (const child of childrenByParent.get(parent) ?? []) {
      if (found.has(child.pid) || rootSet.has(child.pid)) continue;
      found.set(child.pid, child);
      queue.push(child.pid);
    }
  }
  return [...found.values()];
}

/** Processes whose initial environment holds `name=value` (a tracking marker survives setsid and double forks). */
export async function findProcessesWithEnvironment(name: string, value: string): Promise<ProcessEntry[]> {
  const marker = Buffer.from(`${name}=${value}\0`);
  const pids = (await readPids()).filter((pid) => pid !== process.pid);
  const matches = await Promise.all(
    pids.map(async (pid) => {
      try {
        const environ = await readFile(`/proc/${pid}/environ`);
        const at = environ.indexOf(marker);
        // Must start an entry: at 0 or right after a NUL.
        if (at < 0 || (at > 0 && environ[at - 1] !== 0)) return undefined;
        return await readProcessEntry(pid);
      } catch {
        return undefined;
      }
    }),
  );
  return matches.filter((entry): entry is ProcessEntry => entry !== undefined);
}

/** True while the very same process (pid and start time) exists and is not a zombie. */
export function isSameProcessRunning(pid: number, startTime: number): boolean {
  const entry = readProcessEntrySync(pid);
  return entry !== undefined && entry.startTime === startTime && entry.state !== "Z" && entry.state !== "X";
}
