/** One server per data directory: a lock file holding the pid, taken atomically, stale locks detected. */

import { open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { SlipwayError } from "../core/errors";

export interface DataLock {
  release(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function lockDataDir(dataDir: string): Promise<DataLock> {
  const path = join(dataDir, "slipway.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
      if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
        throw new SlipwayError("CONFIG_INVALID", `Another slipway server (pid ${pid}) is already using ${dataDir}.`, {
          hint: "Stop it first, or start this one with a different --data directory.",
        });
      }
      await rm(path, { force: true }); // stale: its process is gone
    }
  }
  throw new SlipwayError("CONFIG_INVALID", `Could not lock ${dataDir}.`);
}
