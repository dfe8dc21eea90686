import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/up";

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@localhost", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@localhost" };

// Runs check out code from the hosted repository while people push to it: a checkout must never make a push fail
// (they once were worktrees registered in the bare repo, and a push racing `worktree add`/`prune` was refused).
describe("pushes while runs check out the same repository", () => {
  let root: string;
  let server: RunningServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "slipway-push-during-runs-"));
    server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("accepts 30 pushes in a row while each one's run checks out the repository", async () => {
    const token = readFileSync(join(root, "data", "admin.token"), "utf8").trim();
    const created = await fetch(`${server.url}/api/v1/repos`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "acme/busy" }) });
    expect(created.status).toBe(201);
    const url = `${server.url.replace("http://", `http://admin:${token}@`)}/git/acme/busy.git`;
    const work = join(root, "work");
    const git = (...args: string[]) => execFileSync("git", args, { cwd: work, env: gitEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    mkdirSync(join(work, ".github/workflows"), { recursive: true });
    git("init", "-q", "-b", "main");
    git("remote", "add", "origin", url);
    writeFileSync(join(work, ".github/workflows/ci.yml"), "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n");
    for (let i = 0; i < 30; i++) {
      writeFileSync(join(work, "counter.txt"), `${i}\n`);
      git("add", "-A");
      git("commit", "-qm", `chore: ${i}`);
      // Asynchronously: the server runs in this process and must keep serving while git talks to it.
      await promisify(execFile)("git", ["push", "-q", "origin", "main"], { cwd: work, env: { ...gitEnv, GIT_TERMINAL_PROMPT: "0" } }); // rejects if refused
    }
    // A push's runs are created right after git's response: wait until all 30 exist and have finished.
    const listRuns = async () => (await (await fetch(`${server.url}/api/v1/repos/acme/busy/runs?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string; conclusion: string }[];
    let runs = await listRuns();
    for (let waited = 0; (runs.length < 30 || runs.some((r) => r.status !== "completed")) && waited < 60_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      runs = await listRuns();
    }
    expect(runs).toHaveLength(30);
    expect(runs.map((r) => r.conclusion)).toEqual(Array(30).fill("success"));
  });
});
