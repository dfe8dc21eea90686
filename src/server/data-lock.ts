/**
 * One server per data directory: a lock file holding the owner's pid and start time, taken atomically.
 * A lock is stale when its process is gone, or when its pid now names another process (pid reuse after
 * a crash or a reboot; in a container the restarted server often gets the very same pid).
 */

import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { SlipwayError } from "../core/errors";
import { readProcessEntry } from "../workflow/executors/host/proc-table";

export interface DataLock {
  release(): Promise<void>;
}

/** Directories locked by this process: a pid match alone cannot tell this process's lock from a stale one. */
const lockedHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function startTimeOf(pid: number): Promise<number | undefined> {
  return (await readProcessEntry(pid))?.startTime;
}

/** A killed server not yet reaped by its parent is a zombie: it answers kill(pid, 0) but holds nothing. */
async function isZombie(pid: number): Promise<boolean> {
  const state = (await readProcessEntry(pid))?.state;
  return state === "Z" || state === "X";
}

/** The pid of the live server holding the lock, or undefined when the lock is stale. */
async function liveHolder(path: string, dataDir: string): Promise<number | undefined> {
  const [pidText, startText] = (await readFile(path, "utf8").catch(() => "")).trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (pid === process.pid) return lockedHere.has(dataDir) ? pid : undefined;
  if (!isRunning(pid) || (await isZombie(pid))) return undefined;
  const recorded = Number.parseInt(startText ?? "", 10);
  if (!Number.isInteger(recorded)) return pid; // an old lock without a start time: trust the pid
  const actual = await startTimeOf(pid);
  return actual === undefined || actual === recorded ? pid : undefined;
}

export async function lockDataDir(dataDir: string): Promise<DataLock> {
  const path = join(dataDir, "slipway.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(`${process.pid} ${(await startTimeOf(process.pid)) ?? ""}\n`);
      await handle.close();
      lockedHere.add(dataDir);
      return {
        release: async () => {
          lockedHere.delete(dataDir);
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = await liveHolder(path, dataDir);
      if (pid !== undefined) {
        throw new SlipwayError("CONFIG_INVALID", `Another slipway server (pid ${pid}) is already using ${dataDir}.`, {
          hint: "Stop it first, or start this one with a different --data directory.",
        });
      }
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new SlipwayError("CONFIG_INVALID", `Could not lock ${dataDir}.`);
}
