import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/up";

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@localhost", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@localhost" };
const git = (args: string[], cwd: string): string => execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8" }).trim();
const secret = "a-webhook-secret-of-some-length";

describe("GitHub webhooks for a mirrored repository", () => {
  let root: string;
  let server: RunningServer;
  let token: string;
  let upstream: string;
  let work: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const deliver = (event: string, payload: unknown, signWith = secret) => {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", signWith).update(body).digest("hex")}`;
    return fetch(`${server.url}/hooks/github/acme/mirror`, { method: "POST", headers: { "content-type": "application/json", "x-github-event": event, "x-hub-signature-256": signature }, body });
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "slipway-webhooks-"));
    upstream = join(root, "upstream.git");
    work = join(root, "work");
    git(["init", "-q", "--bare", "-b", "main", upstream], root);
    git(["clone", "-q", upstream, work], root);
    mkdirSync(join(work, ".github/workflows"), { recursive: true });
    writeFileSync(join(work, ".github/workflows/ci.yml"), "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo mirrored ${{ github.event_name }}\n");
    git(["add", "-A"], work);
    git(["commit", "-qm", "ci"], work);
    git(["push", "-q", "origin", "main"], work);
    server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined });
    token = execFileSync("cat", [join(root, "data", "admin.token")], { encoding: "utf8" }).trim();
    const created = await api("POST", "/repos", { name: "acme/mirror", mirrorUrl: upstream, webhookSecret: secret });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("rejects a bad signature with 401 and changes nothing", async () => {
    const response = await deliver("push", { ref: "refs/heads/main", before: "0".repeat(40), after: "1".repeat(40) }, "wrong-secret-wrong-secret");
    expect(response.status).toBe(401);
    const pushes = await api("GET", "/repos/acme/mirror/pushes");
    expect(pushes.body).toEqual([]);
  });

  it("maps a push delivery to a fetch, a push event and a run", async () => {
    const before = git(["rev-parse", "HEAD"], work);
    writeFileSync(join(work, "README.md"), "hello\n");
    git(["add", "-A"], work);
    git(["commit", "-qm", "docs"], work);
    git(["push", "-q", "origin", "main"], work);
    const after = git(["rev-parse", "HEAD"], work);
    const response = await deliver("push", { ref: "refs/heads/main", before, after, pusher: { name: "octocat" } });
    expect(response.status).toBe(202);
    const pushes = (await api("GET", "/repos/acme/mirror/pushes")).body as unknown as { after: string; changedPaths: string[]; pusher: string }[];
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({ after, changedPaths: ["README.md"], pusher: "octocat" });
    const runs = (await api("GET", "/repos/acme/mirror/runs")).body as unknown as { id: number; sha: string; event: string }[];
    expect(runs[0]).toMatchObject({ sha: after, event: "push" });
    await server.context.dispatcher.settled(runs.map((r) => r.id));
    const run = (await api("GET", `/runs/${runs[0]!.id}`)).body;
    expect(run.conclusion).toBe("success");
  });

  it("maps a pull_request delivery to a pull_request run on the head commit", async () => {
    git(["checkout", "-q", "-b", "feature/x"], work);
    writeFileSync(join(work, "feature.txt"), "x\n");
    git(["add", "-A"], work);
    git(["commit", "-qm", "feat: x"], work);
    git(["push", "-q", "origin", "feature/x"], work);
    const head = git(["rev-parse", "HEAD"], work);
    const base = git(["rev-parse", "main"], work);
    const response = await deliver("pull_request", { action: "opened", number: 7, pull_request: { number: 7, head: { ref: "feature/x", sha: head }, base: { ref: "main", sha: base } }, sender: { login: "octocat" } });
    expect(response.status).toBe(202);
    const { runs } = (await response.json()) as { runs: number[] };
    expect(runs).toHaveLength(1);
    await server.context.dispatcher.settled(runs);
    const run = (await api("GET", `/runs/${runs[0]}`)).body;
    expect(run).toMatchObject({ event: "pull_request", sha: head, ref: "refs/pull/7/merge", conclusion: "success" });
  });
});
