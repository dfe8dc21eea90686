/** A `slipway up` subprocess for the end-to-end suites: fresh data dir, fixed API and dev ingress ports on 127.0.0.1, a chosen runtime, and SIGKILL + start again on the same data dir. */

import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "../../../src/runtime/local/ports";
import { startSlipway } from "../../support/cli";
import { apiCaller, type ApiCaller } from "../../support/server";

export type RuntimeName = "local" | "docker";

export interface E2eServer {
  url: string;
  /** host:port, the registry's address in image references (the same after a restart). */
  host: string;
  token: string;
  api: ApiCaller;
  ingressUrl: string;
  root: string;
  home: string;
  dataDir: string;
  runtime: RuntimeName;
  /** The running server's pid. */
  pid(): number;
  /** Every server's stderr so far. */
  stderr(): string;
  /** SIGKILL, as a crash: the replicas outlive the server. */
  kill(): Promise<void>;
  /** Starts slipway again on the same data dir and ports. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit (the server closes its runtime: no replica left), then removes the root. */
  stop(): Promise<void>;
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** `slipway up --runtime RUNTIME` on a fresh data dir. */
export async function startE2eServer(runtime: RuntimeName): Promise<E2eServer> {
  const root = await mkdtemp(join(tmpdir(), `slipway-e2e-${runtime}-`));
  const home = join(root, "home");
  const dataDir = join(root, "data");
  await mkdir(home);
  const port = await freeLoopbackPort();
  const ingressPort = await freeLoopbackPort();
  let log = "";
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const up = async (): Promise<string> => {
    const started = startSlipway(["up", "--runtime", runtime, "--data", dataDir, "--port", String(port), "--ingress-port", `dev=${ingressPort}`], root, { HOME: home });
    child = started;
    let stderr = "";
    started.stdout?.resume();
    exited = new Promise<void>((resolve) => started.once("exit", () => resolve()));
    started.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      log += chunk;
    });
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`slipway up did not start within 30 s:\n${stderr}`)), 30_000);
      started.stderr?.on("data", () => {
        const match = /slipway is up at (http:\/\/\S+)/.exec(stderr);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      void exited.then(() => reject(new Error(`slipway up exited before it was up:\n${stderr}`)));
    });
  };
  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    if (!child || !alive(child)) return;
    child.kill(signal);
    const running = child;
    const killer = setTimeout(() => running.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(killer);
  };

  let url: string;
  try {
    url = await up();
  } catch (error) {
    await terminate("SIGKILL");
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  return {
    url,
    host: url.replace(/^http:\/\//, ""),
    token,
    api: apiCaller(url, token),
    ingressUrl: `http://127.0.0.1:${ingressPort}`,
    root,
    home,
    dataDir,
    runtime,
    pid: () => child?.pid ?? 0,
    stderr: () => log,
    kill: () => terminate("SIGKILL"),
    async restart() {
      await terminate("SIGKILL");
      await up();
    },
    async stop() {
      await terminate("SIGTERM");
      await rm(root, { recursive: true, force: true });
    },
  };
}
