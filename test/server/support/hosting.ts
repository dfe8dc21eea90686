/**
 * A real slipway server for the git-hosting tests: started in-process with `startServer` on port 0,
 * with its own data directory and HOME, a fetch wrapper for the API and working copies that talk to it
 * with the real `git` CLI over HTTP (the token as the Basic password).
 */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startServer, type RunningServer, type ServerOptions } from "../../../src/server/up";

export interface TestServer {
  server: RunningServer;
  url: string;
  root: string;
  dataDir: string;
  /** A HOME for the server's git and for the clients: hooks and steps must never touch the real one. */
  home: string;
  adminToken: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), "slipway-server-"));
  const dataDir = join(root, "data");
  const home = join(root, "home");
  await mkdir(home, { recursive: true });
  // The server passes HOME to git http-backend and to steps: point it at a scratch directory.
  const previousHome = process.env.HOME;
  process.env.HOME = home;
  const server = await startServer({ dataDir, port: 0, log: () => undefined, ...options });
  const adminToken = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  const api = async <T>(method: string, path: string, body?: unknown, token: string | null = adminToken): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    server,
    url: server.url,
    root,
    dataDir,
    home,
    adminToken,
    api,
    stop: async () => {
      await server.close();
      if (process.env.HOME === home) process.env.HOME = previousHome;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The clone URL with the token as the Basic password (`null`: anonymous). */
export function gitUrl(serverUrl: string, repo: string, token: string | null): string {
  const url = new URL(`${serverUrl}/git/${repo}.git`);
  if (token !== null) {
    url.username = "token";
    url.password = token;
  }
  return url.toString();
}

export function gitEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_") && !key.startsWith("SLIPWAY_")) env[key] = value;
  return {
    ...env,
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "",
    GIT_AUTHOR_NAME: "Test Author",
    GIT_AUTHOR_EMAIL: "author@example.test",
    GIT_COMMITTER_NAME: "Test Author",
    GIT_COMMITTER_EMAIL: "author@example.test",
  };
}

/** Runs git; never throws: the exit code and output are the result. */
export function runGit(args: string[], cwd: string, home: string): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env: gitEnvironment(home), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A working copy: `git init` on main with origin set to the hosted repo. */
export class WorkingCopy {
  private constructor(
    readonly dir: string,
    private readonly home: string,
  ) {}

  static async create(parent: string, name: string, origin: string, home: string): Promise<WorkingCopy> {
    const dir = join(parent, name);
    await mkdir(dir, { recursive: true });
    const copy = new WorkingCopy(dir, home);
    await copy.ok("init", "-q", "-b", "main");
    await copy.ok("config", "commit.gpgsign", "false");
    await copy.ok("remote", "add", "origin", origin);
    return copy;
  }

  git(...args: string[]): Promise<GitResult> {
    return runGit(args, this.dir, this.home);
  }

  async ok(...args: string[]): Promise<string> {
    const result = await this.git(...args);
    if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return result.stdout.trim();
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(this.dir, path)), { recursive: true });
      await writeFile(join(this.dir, path), content);
    }
  }

  /** Writes the files, commits them all and returns the new commit. */
  async commit(message: string, files: Record<string, string> = {}): Promise<string> {
    await this.write(files);
    await this.ok("add", "-A");
    await this.ok("commit", "-q", "--allow-empty", "-m", message);
    return this.ok("rev-parse", "HEAD");
  }
}

/** A workflow with one job whose steps are the given shell lines. */
export function workflowYaml(on: string, steps: string[], extra = ""): string {
  const lines = steps.map((s) => `      - run: ${JSON.stringify(s)}`).join("\n");
  return `name: ci\non: ${on}\n${extra}jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${lines}\n`;
}

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
