/**
 * Git hosting with the real `git` CLI over smart HTTP: clones (empty, full, shallow), pushes that become
 * push events and runs (new branch, force-push, delete, tag), hostile ref names, branch naming rules and
 * 20 concurrent pushes with exactly one push record and one run each.
 */

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushRecord, RunRecord } from "../../src/store";
import { runGit, startTestServer, waitUntil, workflowYaml, type TestServer, type WorkingCopy } from "../support/server";

const zero = "0".repeat(40);
const ciWorkflow = workflowYaml(`\n  push:\n    branches: [main, "feature/**"]`, ['echo "ref=$GITHUB_REF_NAME"']);

let t: TestServer;

async function createRepo(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const created = await t.admin.api("POST", "/repos", { name, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

const pushesOf = async (repo: string): Promise<PushRecord[]> => (await t.admin.api<PushRecord[]>("GET", `/repos/${repo}/pushes`)).body;
const runsOf = async (repo: string): Promise<RunRecord[]> => (await t.admin.api<RunRecord[]>("GET", `/repos/${repo}/runs?limit=500`)).body;

/** The push record for `ref` → `after`, once the server has processed it (runs dispatched). */
function processedPush(repo: string, ref: string, after: string): Promise<PushRecord> {
  return waitUntil(`push ${ref} → ${after.slice(0, 7)}`, async () => (await pushesOf(repo)).find((p) => p.ref === ref && p.after === after && p.processedAt !== null));
}

async function settledRuns(repo: string, count: number): Promise<RunRecord[]> {
  return waitUntil(`${count} completed runs in ${repo}`, async () => {
    const runs = await runsOf(repo);
    return runs.length >= count && runs.every((r) => r.status === "completed") ? runs : undefined;
  }, 30_000);
}

/** Every file named `name` under `dir` (recursively). */
async function filesNamed(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const entry of entries) if (entry.name === name) found.push(join(entry.parentPath, entry.name));
  return found;
}

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t?.stop();
});

describe("clone, push, force-push, delete, tag", () => {
  const repo = "admin/hosting";
  let work: WorkingCopy;
  let mainSha: string;

  beforeAll(async () => {
    await createRepo(repo);
    work = await t.workingCopy(repo, t.admin.token, "hosting");
  });

  it("clones an empty repository", async () => {
    const result = await runGit(["clone", t.gitUrl(repo, t.admin.token), "empty-clone"], t.root, t.home);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("empty repository");
  });

  it("records the first push to main with its commits and paths, and runs the workflow", async () => {
    await work.commit("feat: first", { ".slipway/workflows/ci.yml": ciWorkflow, "README.md": "one\n" });
    await work.commit("feat: second", { "src/a.txt": "a\n" });
    mainSha = await work.commit("feat: third", { "src/b.txt": "b\n" });
    await work.ok("push", "-q", "origin", "main");
    const push = await processedPush(repo, "refs/heads/main", mainSha);
    expect(push.before).toBe(zero);
    expect((push.commits as { message: string }[]).map((c) => c.message)).toEqual(["feat: first", "feat: second", "feat: third"]);
    expect([...push.changedPaths].sort()).toEqual([".slipway/workflows/ci.yml", "README.md", "src/a.txt", "src/b.txt"]);
    const [run] = await settledRuns(repo, 1);
    expect(run).toMatchObject({ ref: "refs/heads/main", sha: mainSha, event: "push", conclusion: "success" });
  });

  it("clones a non-empty repository, fully and shallow", async () => {
    const full = await runGit(["clone", "-q", t.gitUrl(repo, t.admin.token), "full-clone"], t.root, t.home);
    expect(full.code, full.stderr).toBe(0);
    expect(await readFile(join(t.root, "full-clone/src/b.txt"), "utf8")).toBe("b\n");
    expect((await runGit(["rev-list", "--count", "HEAD"], join(t.root, "full-clone"), t.home)).stdout.trim()).toBe("3");

    const shallow = await runGit(["clone", "-q", "--depth", "1", t.gitUrl(repo, t.admin.token), "shallow-clone"], t.root, t.home);
    expect(shallow.code, shallow.stderr).toBe(0);
    const dir = join(t.root, "shallow-clone");
    expect((await runGit(["rev-list", "--count", "HEAD"], dir, t.home)).stdout.trim()).toBe("1");
    expect((await runGit(["rev-parse", "--is-shallow-repository"], dir, t.home)).stdout.trim()).toBe("true");
    expect((await runGit(["rev-parse", "HEAD"], dir, t.home)).stdout.trim()).toBe(mainSha);
  });

  it("pushes and clones a large incompressible file (a chunked request body, streamed responses)", async () => {
    const copy = await t.workingCopy(repo, t.admin.token, "big-work");
    await writeFile(join(copy.dir, "blob.bin"), randomBytes(6 * 1024 * 1024));
    const sha = await copy.commit("chore: big blob");
    const push = await copy.git("push", "origin", "HEAD:refs/heads/big");
    expect(push.code, push.stderr).toBe(0);
    await processedPush(repo, "refs/heads/big", sha);
    const clone = await runGit(["clone", "-q", "--branch", "big", t.gitUrl(repo, t.admin.token), "big-clone"], t.root, t.home);
    expect(clone.code, clone.stderr).toBe(0);
    expect((await readFile(join(t.root, "big-clone/blob.bin"))).equals(await readFile(join(copy.dir, "blob.bin")))).toBe(true);
  });

  it("pushes a new branch, then force-pushes it (forced, before and after right), then deletes it (recorded, no run)", async () => {
    await work.ok("checkout", "-q", "-b", "feature/one");
    const first = await work.commit("feat: x one", { "one.txt": "1\n" });
    await work.ok("push", "-q", "origin", "feature/one");
    const created = await processedPush(repo, "refs/heads/feature/one", first);
    expect(created).toMatchObject({ before: zero, forced: false, changedPaths: ["one.txt"] });
    expect((created.commits as { sha: string }[]).map((c) => c.sha)).toEqual([first]);

    await work.ok("commit", "-q", "--amend", "-m", "feat: x rewritten");
    const rewritten = await work.ok("rev-parse", "HEAD");
    const rejected = await work.git("push", "origin", "feature/one");
    expect(rejected.code).not.toBe(0);
    await work.ok("push", "-q", "--force", "origin", "feature/one");
    const forced = await processedPush(repo, "refs/heads/feature/one", rewritten);
    expect(forced).toMatchObject({ before: first, after: rewritten, forced: true });
    const runs = await settledRuns(repo, 3);
    expect(runs.filter((r) => r.ref === "refs/heads/feature/one").map((r) => r.sha).sort()).toEqual([first, rewritten].sort());

    await work.ok("push", "-q", "origin", "--delete", "feature/one");
    const deleted = await processedPush(repo, "refs/heads/feature/one", zero);
    expect(deleted).toMatchObject({ before: rewritten, after: zero, commits: [], changedPaths: [] });
    expect(await runsOf(repo)).toHaveLength(3);
    expect((await runGit(["ls-remote", "--heads", "origin"], work.dir, t.home)).stdout).not.toContain("feature/one");
  });

  it("pushes a tag (recorded; the branch-filtered workflow does not run)", async () => {
    await work.ok("tag", "-a", "v1.0.0", "-m", "v1.0.0", mainSha);
    await work.ok("push", "-q", "origin", "v1.0.0");
    const tagObject = await work.ok("rev-parse", "v1.0.0");
    const push = await processedPush(repo, "refs/tags/v1.0.0", tagObject);
    expect(push.before).toBe(zero);
    expect(await runsOf(repo)).toHaveLength(3);
  });
});

describe("hostile ref names", () => {
  const repo = "admin/hostile";
  const refused = ["feature/$(touch x)", ";rm -rf ~", "refs/heads/../x", `feature/${"a".repeat(300)}`];
  const asData = ["feature/$(touch${IFS}x)", "feature/`touch${IFS}x`", "feature/a|touch${IFS}x", "feature/;rm${IFS}-rf${IFS}$HOME/canary", "feature/ünïcødé-🚀"];
  let work: WorkingCopy;
  let sha: string;

  beforeAll(async () => {
    await createRepo(repo);
    await writeFile(join(t.home, "canary"), "still here\n");
    work = await t.workingCopy(repo, t.admin.token, "hostile");
    sha = await work.commit("feat: base", { ".slipway/workflows/ci.yml": ciWorkflow });
    await work.ok("push", "-q", "origin", "main");
    await processedPush(repo, "refs/heads/main", sha);
  });

  it("refuses names git or the hook does not accept, and changes nothing", async () => {
    for (const name of refused) {
      const target = name.startsWith("refs/") ? name : `refs/heads/${name}`;
      const result = await work.git("push", "origin", `HEAD:${target}`);
      expect(result.code, `${name}: ${result.stderr}`).not.toBe(0);
    }
    const long = await work.git("push", "origin", `HEAD:refs/heads/feature/${"a".repeat(300)}`);
    expect(long.stderr).toMatch(/longer than 255|File name too long|name too long/i);
    const refs = (await work.ok("ls-remote", "origin")).split("\n").map((l) => l.split("\t")[1]);
    expect(refs.sort()).toEqual(["HEAD", "refs/heads/main"]);
  });

  it("treats shell metacharacters and unicode as plain data: recorded exactly, nothing executed", async () => {
    for (const name of asData) {
      const result = await work.git("push", "origin", `HEAD:refs/heads/${name}`);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
    }
    for (const name of asData) await processedPush(repo, `refs/heads/${name}`, sha);
    const runs = await settledRuns(repo, 1 + asData.length);
    expect(runs.map((r) => r.ref).sort()).toEqual(["refs/heads/main", ...asData.map((n) => `refs/heads/${n}`)].sort());
    expect(runs.every((r) => r.conclusion === "success")).toBe(true);
    const remote = (await work.ok("ls-remote", "--heads", "origin")).split("\n").map((l) => l.split("\t")[1]);
    for (const name of asData) expect(remote).toContain(`refs/heads/${name}`);
  });

  it("created no file 'x' anywhere and removed nothing", async () => {
    for (const dir of [t.dataDir, t.home, t.root]) expect(await filesNamed(dir, "x"), dir).toEqual([]);
    expect(existsSync(join(process.cwd(), "x")), "x in the server's working directory").toBe(false);
    expect(existsSync(join(t.home, "canary"))).toBe(true);
  });
});

describe("branch naming rules", () => {
  const repo = "admin/named";
  let work: WorkingCopy;

  beforeAll(async () => {
    await createRepo(repo, { branchPatterns: ["feature/*", "bugfix/*"] });
    work = await t.workingCopy(repo, t.admin.token, "named");
    await work.commit("feat: base");
  });

  it("accepts main and matching branches, rejects others with the hook's message", async () => {
    await work.ok("push", "-q", "origin", "main");
    const wip = await work.git("push", "origin", "HEAD:refs/heads/wip");
    expect(wip.code).not.toBe(0);
    expect(wip.stderr).toContain("slipway: branch 'wip' does not follow this repository's naming rules (allowed: feature/*, bugfix/*)");
    expect(wip.stderr).toContain("pre-receive hook declined");
    await work.ok("push", "-q", "origin", "HEAD:refs/heads/feature/a");
    await work.ok("push", "-q", "origin", "HEAD:refs/heads/bugfix/b");
    const heads = (await work.ok("ls-remote", "--heads", "origin")).split("\n").map((l) => l.split("\t")[1]).sort();
    expect(heads).toEqual(["refs/heads/bugfix/b", "refs/heads/feature/a", "refs/heads/main"]);
    const pushes = await waitUntil("three processed pushes", async () => {
      const list = await pushesOf(repo);
      return list.length === 3 && list.every((p) => p.processedAt !== null) ? list : undefined;
    });
    expect(pushes.map((p) => p.ref)).not.toContain("refs/heads/wip");
  });
});

describe("branch patterns with shell syntax", () => {
  it("are quoted into the hook: a repo admin's pattern never runs on the server", async () => {
    const repo = "admin/patterns";
    const patterns = ["feature/*", "$(touch x)", "`touch x`", "it's; touch x"];
    await createRepo(repo, { branchPatterns: patterns });
    const work = await t.workingCopy(repo, t.admin.token, "patterns");
    await work.commit("feat: base");
    const wip = await work.git("push", "origin", "HEAD:refs/heads/wip");
    expect(wip.code).not.toBe(0);
    expect(wip.stderr).toContain(`slipway: branch 'wip' does not follow this repository's naming rules (allowed: ${patterns.join(", ")})`);
    await work.ok("push", "-q", "origin", "HEAD:refs/heads/feature/ok");
    expect(await filesNamed(t.dataDir, "x")).toEqual([]);
  });
});

describe("20 concurrent pushes to 20 branches", () => {
  const repo = "admin/concurrent";

  it("gives exactly 20 push records and 20 runs, none lost and none doubled", async () => {
    await createRepo(repo);
    const work = await t.workingCopy(repo, t.admin.token, "concurrent");
    await work.commit("chore: base", { ".slipway/workflows/ci.yml": workflowYaml(`\n  push:\n    branches: ["feature/**"]`, ["echo built"]) });
    await work.ok("push", "-q", "origin", "main");
    const heads = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      await work.ok("checkout", "-q", "-B", `feature/n${i}`, "main");
      heads.set(`refs/heads/feature/n${i}`, await work.commit(`feat: change ${i}`, { [`f${i}.txt`]: `${i}\n` }));
    }
    const results = await Promise.all([...heads.keys()].map((ref) => work.git("push", "-q", "origin", `${ref}:${ref}`)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);

    const runs = await settledRuns(repo, 20);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a doubled dispatch would show up by now
    const pushes = (await pushesOf(repo)).filter((p) => p.ref.startsWith("refs/heads/feature/"));
    expect(pushes).toHaveLength(20);
    expect(new Map(pushes.map((p) => [p.ref, p.after]))).toEqual(heads);
    expect(pushes.every((p) => p.processedAt !== null)).toBe(true);
    const finalRuns = await runsOf(repo);
    expect(finalRuns).toHaveLength(20);
    expect(runs).toHaveLength(20);
    expect(new Map(finalRuns.map((r) => [r.ref, r.sha]))).toEqual(heads);
    expect(finalRuns.every((r) => r.conclusion === "success")).toBe(true);
  });
});

describe("deleting a repository", () => {
  it("cancels its running runs first, then removes it and its git data", async () => {
    const repo = "admin/doomed";
    await createRepo(repo);
    const work = await t.workingCopy(repo, t.admin.token, "doomed");
    const sha = await work.commit("ci: slow", { ".slipway/workflows/ci.yml": workflowYaml("push", ["echo started; sleep 30"]) });
    await work.ok("push", "-q", "origin", "main");
    const run = await waitUntil("the run's step to start", async () => {
      const found = (await runsOf(repo)).find((r) => r.sha === sha);
      const logs = found ? await t.server.context.store.runs.getRun(found.id) : undefined;
      return logs?.jobs[0]?.status === "in_progress" ? found : undefined;
    });
    const started = Date.now();
    expect((await t.admin.api("DELETE", `/repos/${repo}`)).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await t.server.context.store.runs.getRun(run.id)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(t.server.context.dispatcher.runningRunIds()).not.toContain(run.id);
    expect((await t.admin.api("GET", `/repos/${repo}`)).status).toBe(404);
    expect(existsSync(join(t.dataDir, "git", "admin", "doomed.git"))).toBe(false);
  });
});
