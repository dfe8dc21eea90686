/** `slipway up` as a subprocess (the built CLI): for tests that kill the server or need a process of its own. */

import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { killIfRunning, startSlipway } from "../../support/cli";
import { apiCaller, type ApiCaller } from "../../support/server";

export interface CliServer {
  child: ChildProcess;
  url: string;
  token: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The API as the admin. */
  api: ApiCaller;
  /** SIGKILL if it still runs (afterAll safety net). */
  kill(): void;
}

export async function startCliServer(dataDir: string, cwd: string, home: string): Promise<CliServer> {
  const child = startSlipway(["up", "--data", dataDir, "--port", "0"], cwd, { HOME: home });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway up did not start within 15 s:\n${stderr}`)), 15_000);
    const check = (): void => {
      const match = stderr.match(/slipway is up at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr?.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`slipway up exited (${code ?? signal}) before it was up:\n${stderr}`));
    });
  });
  const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  return { child, url, token, stderr: () => stderr, exited, api: apiCaller(url, token), kill: () => killIfRunning(child) };
}
