/**
 * A real slipway server for integration tests: `startServer` in-process on port 0 with its own data
 * directory and HOME, an API caller per token, users with tokens and repositories made through the
 * API, and working copies that talk to it with the real `git` CLI over HTTP (the token as password).
 * The git, API and waiting pieces also serve tests that run `slipway up` as a subprocess.
 */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/up";
import type { RepoRole } from "../../src/store";

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Error bodies as the server sends them. */
export interface ApiErrorBody {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

export type ApiCaller = <T = unknown>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>>;

export interface TestUser {
  name: string;
  token: string;
  /** The API as this user. */
  api: ApiCaller;
}

export interface TestRepo {
  /** `owner/name`. */
  name: string;
  cloneUrl: string;
  defaultBranch: string;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  root: string;
  dataDir: string;
  /** HOME for the server's git, the steps it runs and the git clients: never the real one. */
  home: string;
  admin: TestUser;
  /** The API with an explicit token (`null`: anonymous). */
  apiWith(token: string | null): ApiCaller;
  createUser(name: string, options?: { admin?: boolean }): Promise<TestUser>;
  /** Creates `owner/name` as the admin and gives each listed user a role on it. */
  createRepo(name: string, options?: { public?: boolean; defaultBranch?: string; branchPatterns?: string[]; members?: Record<string, RepoRole> }): Promise<TestRepo>;
  /** The clone URL with `token` as the Basic password (`null`: anonymous). */
  gitUrl(repo: string, token: string | null): string;
  /** An empty working copy on `main` whose origin is the hosted repo, pushing with `token`. */
  workingCopy(repo: string, token: string, folder?: string): Promise<WorkingCopy>;
  stop(): Promise<void>;
}

/** The API of the server at `baseUrl` with `token` as the Bearer token (`null`: anonymous). */
export function apiCaller(baseUrl: string, token: string | null): ApiCaller {
  return async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

async function expectStatus<T>(response: Promise<ApiResponse<T>>, status: number, what: string): Promise<T> {
  const result = await response;
  if (result.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const root = await mkdtemp(join(tmpdir(), "slipway-server-"));
  const dataDir = join(root, "data");
  const home = join(root, "home");
  await mkdir(home, { recursive: true });
  // The server hands HOME to git http-backend and to steps: a scratch directory, never the real one.
  const previousHome = process.env.HOME;
  process.env.HOME = home;
  const server = await startServer({ dataDir, port: 0, log: () => undefined, ...options });
  const adminToken = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  const admin: TestUser = { name: "admin", token: adminToken, api: apiCaller(server.url, adminToken) };
  let copies = 0;

  return {
    server,
    url: server.url,
    root,
    dataDir,
    home,
    admin,
    apiWith: (token) => apiCaller(server.url, token),
    gitUrl: (repo, token) => gitUrl(server.url, repo, token),
    async createUser(name, userOptions = {}) {
      await expectStatus(admin.api("POST", "/users", { name, admin: userOptions.admin ?? false }), 201, `create user ${name}`);
      const issued = await expectStatus(admin.api<{ token: string }>("POST", `/users/${name}/tokens`, { name: "test" }), 201, `token for ${name}`);
      return { name, token: issued.token, api: apiCaller(server.url, issued.token) };
    },
    async createRepo(name, repoOptions = {}) {
      const { members = {}, ...settings } = repoOptions;
      const repo = await expectStatus(admin.api<TestRepo>("POST", "/repos", { name, ...settings }), 201, `create repo ${name}`);
      for (const [user, role] of Object.entries(members)) await expectStatus(admin.api("PUT", `/repos/${repo.name}/members/${user}`, { role }), 200, `add ${user} to ${name}`);
      return repo;
    },
    async workingCopy(repo, token, folder) {
      copies += 1;
      return WorkingCopy.create(join(root, "copies", folder ?? `copy-${copies}`), gitUrl(server.url, repo, token), home);
    },
    stop: async () => {
      await server.close();
      if (process.env.HOME === home) process.env.HOME = previousHome;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The clone URL of `repo` on the server at `serverUrl`, with `token` as the Basic password (`null`: anonymous). */
export function gitUrl(serverUrl: string, repo: string, token: string | null): string {
  const url = new URL(`${serverUrl}/git/${repo}.git`);
  if (token !== null) {
    url.username = "token";
    url.password = token;
  }
  return url.toString();
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** No global or system git config; a fixed identity (GIT_AUTHOR_* / GIT_COMMITTER_*). */
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
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A working copy: `git init` on main with origin set to a hosted repo. */
export class WorkingCopy {
  private constructor(
    readonly dir: string,
    private readonly home: string,
  ) {}

  static async create(dir: string, origin: string, home: string): Promise<WorkingCopy> {
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

  /** Runs git and returns trimmed stdout; throws with git's message when it fails. */
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

  /** Writes the files, commits everything and returns the new commit. */
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

/** Polls `probe` until it returns a value; throws once `timeoutMs` have passed. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
