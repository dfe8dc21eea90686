/**
 * The pull-request flow against a real server with the real `git` CLI: open → checks run → merge
 * refused without approval → the author's own approval refused → another user approves → squash merge
 * → the main-branch workflow runs on the merge commit. Plus change requests, stale approvals, required
 * checks, conflicts, fast-forward and a push racing a merge.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMerge, planMerge } from "../../src/git/merge";
import type { RunRecord } from "../../src/store";
import type { PullRequestDetails } from "../../src/server/services/pull-requests";
import { assertBuilt, slipway } from "../support/cli";
import { startTestServer, waitUntil, type ApiErrorBody, type TestServer, type TestUser, type WorkingCopy } from "../support/server";

const ciYml = `name: CI
on:
  pull_request:
    branches: [main]
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: test ! -f fail-test
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: test ! -f fail-lint
`;

const buildYml = `name: Build
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "building $GITHUB_SHA"
`;

let t: TestServer;
let dev: TestUser;
let reviewer: TestUser;
let secondReviewer: TestUser;
let watcher: TestUser;

/** A repo with ci.yml and build.yml on main, and a working copy of the developer. */
async function setUpRepo(name: string): Promise<{ repo: string; work: WorkingCopy; mainSha: string }> {
  const repo = `admin/${name}`;
  await t.createRepo(repo, { members: { dev: "developer", rev: "developer", rev2: "developer", watcher: "viewer" } });
  const work = await t.workingCopy(repo, dev.token, name);
  const mainSha = await work.commit("chore: initial", { ".github/workflows/ci.yml": ciYml, ".github/workflows/build.yml": buildYml, "app.txt": "v1\n" });
  await work.ok("push", "-q", "origin", "main");
  return { repo, work, mainSha };
}

/** Waits until no run of the repo is unfinished. */
function idle(repo: string): Promise<true> {
  return waitUntil(`no unfinished runs in ${repo}`, async () => ((await runsOf(repo)).every((r) => r.status === "completed") ? true : undefined));
}

/** `git push` once the repo's runs are done, so each test starts from settled checks. */
async function push(repo: string, work: WorkingCopy, ...refspecs: string[]): Promise<void> {
  await idle(repo);
  const result = await work.git("push", "-q", "origin", ...refspecs);
  if (result.code !== 0) throw new Error(`git push ${refspecs.join(" ")} failed: ${result.stderr}`);
}

/** Commits the files on a new branch from main and pushes it. */
async function pushBranch(repo: string, work: WorkingCopy, branch: string, message: string, files: Record<string, string>): Promise<string> {
  await work.ok("switch", "-q", "-c", branch, "main");
  const sha = await work.commit(message, files);
  await push(repo, work, branch);
  await work.ok("switch", "-q", "main");
  return sha;
}

async function openPull(repo: string, source: string, title: string, body = ""): Promise<PullRequestDetails> {
  const created = await dev.api<PullRequestDetails>("POST", `/repos/${repo}/pulls`, { source, target: "main", title, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function pull(repo: string, number: number): Promise<PullRequestDetails> {
  return (await t.admin.api<PullRequestDetails>("GET", `/repos/${repo}/pulls/${number}`)).body;
}

/** Polls the API until the pull request's checks have all completed (and at least `count` reported). */
function checksDone(repo: string, number: number, count = 2): Promise<PullRequestDetails> {
  return waitUntil(`checks of #${number} in ${repo}`, async () => {
    const pr = await pull(repo, number);
    const done = pr.checks.length >= count && pr.checks.every((c) => c.status === "completed") && !pr.mergeBlockers.some((r) => r.startsWith("workflow run"));
    return done ? pr : undefined;
  });
}

async function review(user: TestUser, repo: string, number: number, event: string, body = ""): Promise<{ status: number; body: unknown }> {
  return user.api("POST", `/repos/${repo}/pulls/${number}/reviews`, { event, body });
}

async function merge(user: TestUser, repo: string, number: number, method: string): Promise<{ status: number; body: { sha?: string } & Partial<ApiErrorBody> }> {
  return user.api("PUT", `/repos/${repo}/pulls/${number}/merge`, { method });
}

const runsOf = async (repo: string): Promise<RunRecord[]> => (await t.admin.api<RunRecord[]>("GET", `/repos/${repo}/runs?limit=500`)).body;

beforeAll(async () => {
  t = await startTestServer();
  dev = await t.createUser("dev");
  reviewer = await t.createUser("rev");
  secondReviewer = await t.createUser("rev2");
  watcher = await t.createUser("watcher");
});

afterAll(async () => {
  await t?.stop();
});

describe("the pull-request flow", () => {
  it("opens, runs checks, refuses the merge until someone else approves, squashes and runs the main-branch workflow", async () => {
    const { repo, work, mainSha } = await setUpRepo("flow");
    const head = await pushBranch(repo, work, "feature/x", "feat(auth): add 2FA", { "auth.txt": "totp\n" });

    const opened = await openPull(repo, "feature/x", "feat(auth): add 2FA", "Adds TOTP as a second factor.");
    expect(opened).toMatchObject({ number: 1, state: "open", sourceBranch: "feature/x", targetBranch: "main", headSha: head, author: "dev" });
    expect(opened.protection).toMatchObject({ source: "default", requiredApprovals: 1 });

    const checked = await checksDone(repo, 1);
    expect(checked.checks.map((c) => [c.name, c.conclusion])).toEqual([["lint", "success"], ["test", "success"]]);
    const prRuns = (await runsOf(repo)).filter((r) => r.event === "pull_request");
    expect(prRuns).toHaveLength(1);
    expect(prRuns[0]).toMatchObject({ workflowName: "CI", ref: "refs/pull/1/head", sha: head });

    const refused = await merge(dev, repo, 1, "squash");
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain("needs 1 approving review by someone other than the author dev; has 0");

    const own = await review(dev, repo, 1, "approve");
    expect(own.status).toBe(403);
    expect(JSON.stringify(own.body)).toContain("cannot approve your own pull request");
    expect((await review(watcher, repo, 1, "approve")).status).toBe(403);

    expect((await review(reviewer, repo, 1, "approve", "LGTM")).status).toBe(201);
    const approved = await pull(repo, 1);
    expect(approved.mergeable).toBe(true);
    expect(approved.mergeBlockers).toEqual([]);

    const merged = await merge(dev, repo, 1, "squash");
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    const mergeSha = merged.body.sha!;
    await work.ok("fetch", "-q", "origin");
    expect(await work.ok("log", "-1", "--format=%s", "origin/main")).toBe("feat(auth): add 2FA (#1)");
    expect(await work.ok("log", "-1", "--format=%b", "origin/main")).toBe("Adds TOTP as a second factor.");
    expect(await work.ok("rev-parse", "origin/main")).toBe(mergeSha);
    expect(await work.ok("rev-parse", `${mergeSha}^`)).toBe(mainSha);
    expect(await work.ok("log", "-1", "--format=%an", "origin/main")).toBe("Test Author");
    expect(await pull(repo, 1)).toMatchObject({ state: "merged", mergeMethod: "squash", mergedSha: mergeSha });

    const build = await waitUntil("Build on the merge commit", async () =>
      (await runsOf(repo)).find((r) => r.workflowName === "Build" && r.sha === mergeSha && r.status === "completed"),
    );
    expect(build).toMatchObject({ event: "push", ref: "refs/heads/main", conclusion: "success" });
    const pushes = (await t.admin.api<{ ref: string; after: string; pusher: string }[]>("GET", `/repos/${repo}/pushes`)).body;
    expect(pushes.find((p) => p.after === mergeSha)).toMatchObject({ ref: "refs/heads/main", pusher: "dev" });
  });

  it("refuses pull requests that make no sense", async () => {
    const { repo, work } = await setUpRepo("refusals");
    await pushBranch(repo, work, "feature/y", "feat: y", { "y.txt": "y\n" });
    const post = (body: Record<string, unknown>) => dev.api<ApiErrorBody>("POST", `/repos/${repo}/pulls`, { title: "t", ...body });
    expect((await post({ source: "main", target: "main" })).body.error.message).toContain("both 'main'");
    expect((await post({ source: "feature/nope" })).status).toBe(404);
    expect((await post({ source: "feature/y", target: "release" })).status).toBe(404);
    expect((await post({ source: "feature/y" })).status).toBe(201);
    const duplicate = await post({ source: "feature/y" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toContain("#1 from feature/y into main is already open");
    expect((await watcher.api("POST", `/repos/${repo}/pulls`, { source: "feature/y", title: "t" })).status).toBe(403);

    expect((await dev.api("PATCH", `/repos/${repo}/pulls/1`, { state: "closed" })).status).toBe(200);
    expect((await dev.api<unknown[]>("GET", `/repos/${repo}/pulls?state=closed`)).body).toHaveLength(1);
    expect((await dev.api("PATCH", `/repos/${repo}/pulls/1`, { state: "open" })).status).toBe(200);
    const numbers = (await dev.api<{ number: number }[]>("GET", `/repos/${repo}/pulls?state=all`)).body.map((p) => p.number);
    expect(numbers).toEqual([1]);
  });
});

describe("what blocks a merge", () => {
  it("a change request blocks until the same reviewer approves; then a merge commit is made", async () => {
    const { repo, work, mainSha } = await setUpRepo("changes");
    const head = await pushBranch(repo, work, "feature/cr", "feat: cr", { "cr.txt": "cr\n" });
    await openPull(repo, "feature/cr", "feat: change requests");
    await checksDone(repo, 1);
    expect((await review(reviewer, repo, 1, "request_changes", "rename it")).status).toBe(201);
    expect((await review(secondReviewer, repo, 1, "approve")).status).toBe(201);
    const blocked = await merge(dev, repo, 1, "merge");
    expect(blocked.status).toBe(409);
    expect(blocked.body.error?.message).toContain("rev requested changes");
    expect(blocked.body.error?.message).not.toContain("approving review");

    expect((await review(reviewer, repo, 1, "comment", "still thinking")).status).toBe(201);
    expect((await pull(repo, 1)).mergeBlockers.join()).toContain("rev requested changes");
    expect((await review(reviewer, repo, 1, "approve")).status).toBe(201);
    const merged = await merge(dev, repo, 1, "merge");
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    await work.ok("fetch", "-q", "origin");
    expect(await work.ok("rev-list", "--parents", "-n", "1", "origin/main")).toBe(`${merged.body.sha} ${mainSha} ${head}`);
    expect(await work.ok("log", "-1", "--format=%B", "origin/main")).toBe("Merge pull request #1 from feature/cr\n\nfeat: change requests");
  });

  it("a new push to the source branch dismisses the approval and runs synchronize", async () => {
    const { repo, work } = await setUpRepo("stale");
    await pushBranch(repo, work, "feature/s", "feat: s", { "s.txt": "1\n" });
    await openPull(repo, "feature/s", "feat: s");
    await checksDone(repo, 1);
    await review(reviewer, repo, 1, "approve");
    expect((await pull(repo, 1)).mergeable).toBe(true);

    await work.ok("switch", "-q", "feature/s");
    const newHead = await work.commit("fix: s", { "s.txt": "2\n" });
    await push(repo, work, "feature/s");
    const synced = await waitUntil("the new head", async () => ((await pull(repo, 1)).headSha === newHead ? pull(repo, 1) : undefined));
    expect(synced.reviews[0]).toMatchObject({ reviewer: "rev", state: "approved", dismissed: true });
    expect(synced.mergeBlockers.join()).toContain("1 dismissed: given before the latest push");
    const refused = await merge(dev, repo, 1, "squash");
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain("has 0 (1 dismissed");
    await waitUntil("a CI run on the new head", async () => (await runsOf(repo)).find((r) => r.event === "pull_request" && r.sha === newHead));
  });

  it("a failing required check blocks the merge; only admins set protection", async () => {
    const { repo, work } = await setUpRepo("required");
    const protection = { requiredChecks: ["lint"], requiredApprovals: 1, requireUpToDate: false };
    expect((await dev.api("PUT", `/repos/${repo}/branches/main/protection`, protection)).status).toBe(403);
    const saved = await t.admin.api("PUT", `/repos/${repo}/branches/main/protection`, protection);
    expect(saved.body).toMatchObject({ ...protection, source: "configured" });

    await pushBranch(repo, work, "feature/lintless", "feat: skip lint", { "fail-lint": "x\n" });
    await openPull(repo, "feature/lintless", "feat: skip lint");
    await review(reviewer, repo, 1, "approve");
    const checked = await checksDone(repo, 1);
    expect(checked.checks.find((c) => c.name === "lint")?.conclusion).toBe("failure");
    const refused = await merge(dev, repo, 1, "merge");
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(/required check 'lint' is failure on [0-9a-f]{7}/);
    expect(refused.body.error?.details).toEqual({ reasons: [expect.stringContaining("required check 'lint'")] });
  });

  it("a conflict is a 409 naming the file, and nothing moves", async () => {
    const { repo, work } = await setUpRepo("conflict");
    await pushBranch(repo, work, "feature/c", "feat: c", { "app.txt": "from the branch\n" });
    const mainHead = await work.commit("fix: app", { "app.txt": "from main\n" });
    await push(repo, work, "main");
    await openPull(repo, "feature/c", "feat: c");
    await review(reviewer, repo, 1, "approve");
    const checked = await checksDone(repo, 1);
    expect(checked.conflicts).toEqual(["app.txt"]);
    const refused = await merge(dev, repo, 1, "squash");
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain("Merge conflict in app.txt");
    expect(refused.body.error?.details).toEqual({ conflictingFiles: ["app.txt"] });
    await work.ok("fetch", "-q", "origin");
    expect(await work.ok("rev-parse", "origin/main")).toBe(mainHead);
    expect((await pull(repo, 1)).state).toBe("open");
  });

  it("fast-forward is refused when main has diverged, and works when it has not", async () => {
    const { repo, work } = await setUpRepo("fastforward");
    const straight = await pushBranch(repo, work, "feature/straight", "feat: straight", { "a.txt": "a\n" });
    await pushBranch(repo, work, "feature/diverged", "feat: diverged", { "b.txt": "b\n" });
    await openPull(repo, "feature/straight", "feat: straight");
    await openPull(repo, "feature/diverged", "feat: diverged");
    for (const number of [1, 2]) {
      await review(reviewer, repo, number, "approve");
      await checksDone(repo, number);
    }
    const fastForward = await merge(dev, repo, 1, "fast-forward");
    expect(fastForward.status, JSON.stringify(fastForward.body)).toBe(200);
    expect(fastForward.body.sha).toBe(straight);
    const refused = await merge(dev, repo, 2, "fast-forward");
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain("Cannot fast-forward main");
    expect((await merge(dev, repo, 2, "merge")).status).toBe(200);
  });
});

describe("a push racing a merge", () => {
  it("a push between preparing and publishing the merge makes it fail cleanly", async () => {
    const { repo, work } = await setUpRepo("race-plumbing");
    const head = await pushBranch(repo, work, "feature/r", "feat: r", { "r.txt": "r\n" });
    const [owner, name] = repo.split("/");
    const repoPath = t.server.context.repoPath({ owner: owner!, name: name! } as Parameters<typeof t.server.context.repoPath>[0]);
    const identity = { name: "dev", email: "dev@example.test" };
    const plan = await planMerge(repoPath, { targetBranch: "main", headSha: head, method: "merge", message: "merge", author: identity, committer: identity });

    const pushed = await work.commit("fix: meanwhile", { "m.txt": "m\n" });
    await push(repo, work, "main");
    await expect(applyMerge(repoPath, plan, "test")).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("main changed while the merge was being prepared") });
    await work.ok("fetch", "-q", "origin");
    expect(await work.ok("rev-parse", "origin/main")).toBe(pushed);
  });

  it("through the API, a merge and a concurrent push never lose each other's work", async () => {
    const { repo, work } = await setUpRepo("race-api");
    await pushBranch(repo, work, "feature/q", "feat: q", { "q.txt": "q\n" });
    await openPull(repo, "feature/q", "feat: q");
    await review(reviewer, repo, 1, "approve");
    await checksDone(repo, 1);
    const pushedSha = await work.commit("fix: concurrent", { "p.txt": "p\n" });
    const [merged, pushed] = await Promise.all([merge(dev, repo, 1, "merge"), work.git("push", "-q", "origin", "main")]);
    await work.ok("fetch", "-q", "origin");
    const main = await work.ok("rev-parse", "origin/main");
    const contains = async (sha: string) => (await work.git("merge-base", "--is-ancestor", sha, main)).code === 0;
    expect(merged.status === 200 || pushed.code === 0).toBe(true);
    if (merged.status === 200) expect(await contains(merged.body.sha!)).toBe(true);
    else expect(merged.status).toBe(409);
    if (pushed.code === 0) expect(await contains(pushedSha)).toBe(true);
    expect((await pull(repo, 1)).state).toBe(merged.status === 200 ? "merged" : "open");
  });
});

describe("slipway pr", () => {
  it("creates, lists, shows, reviews and merges from a working copy, printing the precise reason on refusal", async () => {
    assertBuilt();
    const { repo, work } = await setUpRepo("cli");
    await pushBranch(repo, work, "feature/cli", "feat(cli): pr commands", { "cli.txt": "cli\n" });
    const as = (user: TestUser) => ({ SLIPWAY_URL: t.url, SLIPWAY_TOKEN: user.token, HOME: t.home });

    const created = await slipway(["pr", "create", "--source", "feature/cli", "--target", "main", "--title", "feat(cli): pr commands", "--json"], work.dir, as(dev));
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ number: 1, state: "open", sourceBranch: "feature/cli" });
    const listed = await slipway(["pr", "list", "--state", "all", "--repository", repo, "--json"], t.root, as(dev));
    expect(JSON.parse(listed.stdout).map((p: { number: number }) => p.number)).toEqual([1]);
    await checksDone(repo, 1);

    const refused = await slipway(["pr", "merge", "1", "--method", "squash"], work.dir, as(dev));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("needs 1 approving review by someone other than the author dev; has 0");
    const own = await slipway(["pr", "review", "1", "--approve"], work.dir, as(dev));
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("You cannot approve your own pull request (#1)");
    const shown = await slipway(["pr", "show", "1"], work.dir, as(dev));
    expect(shown.stdout).toContain("cannot merge yet:");

    expect((await slipway(["pr", "review", "1", "--approve", "--body", "ship it"], work.dir, as(reviewer))).code).toBe(0);
    expect((await slipway(["pr", "show", "1"], work.dir, as(dev))).stdout).toContain("ready to merge");
    const merged = await slipway(["pr", "merge", "1", "--method", "squash", "--json"], work.dir, as(dev));
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toMatchObject({ method: "squash", pullRequest: { state: "merged" } });
  });
});
