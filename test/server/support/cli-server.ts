/** `slipway up` as a subprocess (the built CLI): for tests that kill the server or need a process of its own. */

import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { assertBuilt, killIfRunning, startSlipway } from "../../support/cli";
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

export interface CliServerWorkspace {
  /** The temp directory: servers run with it as their cwd; tests put their working copies in it. */
  readonly root: string;
  /** HOME for the servers and the git clients. */
  readonly home: string;
  /** The data directory every server of the file shares (restarts see the same state). */
  readonly dataDir: string;
  /** Starts `slipway up` on the shared data directory; afterAll kills it if it still runs. */
  up(): Promise<CliServer>;
}

/** Per test file (beforeAll): a built CLI and a temp root holding HOME and a data directory; afterAll kills every server started, runs `cleanup`, then removes the root. */
export function useCliServerWorkspace(prefix: string, cleanup: () => Promise<void> = async () => undefined): CliServerWorkspace {
  let root: string | undefined;
  const servers: CliServer[] = [];
  const within = (path: string): string => {
    if (root === undefined) throw new Error("the workspace is made in beforeAll");
    return join(root, path);
  };
  beforeAll(async () => {
    assertBuilt();
    root = await mkdtemp(join(tmpdir(), prefix));
    await mkdir(within("home"));
  });
  afterAll(async () => {
    for (const server of servers) server.kill();
    await cleanup();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return within("");
    },
    get home() {
      return within("home");
    },
    get dataDir() {
      return within("data");
    },
    async up() {
      const server = await startCliServer(within("data"), within(""), within("home"));
      servers.push(server);
      return server;
    },
  };
}
