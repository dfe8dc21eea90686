/** applyRelease in real repositories: CHANGELOG commit, annotated tag, push, and idempotent re-runs. */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyRelease, planRelease } from "../../src/release";
import { GitRepo } from "../support/git-repo";
import { fixedDate, useTestGitIdentity } from "./history-harness";

useTestGitIdentity();

const repos: GitRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((repo) => repo.remove()));
});

async function repoWith(files: Record<string, string>, messages: string[]): Promise<GitRepo> {
  const repo = await GitRepo.create("slipway-apply-");
  repos.push(repo);
  await repo.writeFiles(files);
  await repo.commitAll("chore: initial");
  let n = 0;
  for (const message of messages) {
    const [service, text] = message.includes("|") ? message.split("|") : ["", message];
    await repo.writeFiles({ [service ? `services/${service}/f${++n}.txt` : `f${++n}.txt`]: text });
    await repo.commitAll(text);
  }
  return repo;
}

const release = async (dir: string, commit = true) => applyRelease(dir, await planRelease(dir, { date: fixedDate }), { commit });

describe("applyRelease", () => {
  it("commits CHANGELOG.md, tags the release commit with the changelog, and does nothing the second time", async () => {
    const repo = await repoWith({ "CHANGELOG.md": "# Changelog\n\n## 1.0.0 (2025-12-01)\n\n* old entry\n" }, []);
    await repo.tag("v1.0.0");
    await repo.writeFiles({ "a.txt": "a" });
    await repo.commitAll("feat(auth): add 2FA (#34)");
    const [first] = await release(repo.dir);
    expect(first).toMatchObject({ released: true, version: "1.1.0", tag: "v1.1.0" });
    expect(await repo.git("log", "-1", "--format=%s")).toBe("chore(release): repo v1.1.0 [skip ci]\n");
    expect((await repo.sha("v1.1.0")).trim()).toBe(first.releaseCommit);
    const changelog = await readFile(join(repo.dir, "CHANGELOG.md"), "utf8");
    expect(changelog.indexOf("## 1.1.0 (2026-01-14)")).toBeLessThan(changelog.indexOf("## 1.0.0 (2025-12-01)"));
    expect(changelog.startsWith("# Changelog\n\n## 1.1.0")).toBe(true);
    expect(changelog).toContain("* **auth:** add 2FA (#34) (");
    expect(await repo.git("tag", "-l", "--format=%(contents)", "v1.1.0")).toContain("### Features");
    expect(await repo.git("cat-file", "-t", "v1.1.0")).toBe("tag\n");

    const second = await release(repo.dir);
    expect(second[0]).toMatchObject({ released: false, version: null });
    expect(second[0].reason).toMatch(/v1\.1\.0 already points at/);
    expect((await repo.git("tag", "-l")).trim().split("\n")).toEqual(["v1.0.0", "v1.1.0"]);
  });

  it("releases several services, one commit each, and a re-run releases none", async () => {
    const config = JSON.stringify({ services: [{ path: "services/api" }, { path: "services/web" }, { path: "services/worker" }] });
    const repo = await repoWith({ "slipway.release.json": config }, ["api|feat: orders", "web|fix: header", "worker|chore: deps"]);
    const results = await release(repo.dir);
    expect(results.map((r) => [r.service, r.tag, r.released])).toEqual([
      ["api", "api/v1.0.0", true],
      ["web", "web/v1.0.0", true],
      ["worker", null, false],
    ]);
    expect((await repo.git("log", "-2", "--format=%s")).trim().split("\n")).toEqual(["chore(release): web v1.0.0 [skip ci]", "chore(release): api v1.0.0 [skip ci]"]);
    expect(await readFile(join(repo.dir, "services/api/CHANGELOG.md"), "utf8")).toContain("* orders (");
    expect(await readFile(join(repo.dir, "services/web/CHANGELOG.md"), "utf8")).toContain("### Bug Fixes");
    const again = await release(repo.dir);
    expect(again.every((r) => !r.released)).toBe(true);
    await repo.writeFiles({ "services/web/g.txt": "g" });
    await repo.commitAll("feat: web again");
    const third = await release(repo.dir);
    expect(third.filter((r) => r.released).map((r) => r.tag)).toEqual(["web/v1.1.0"]);
  });

  it("--no-commit tags HEAD and writes nothing", async () => {
    const repo = await repoWith({}, ["fix: a"]);
    const head = await repo.sha("HEAD");
    const [result] = await release(repo.dir, false);
    expect(result).toMatchObject({ released: true, tag: "v1.0.0", taggedCommit: head });
    expect(await repo.sha("HEAD")).toBe(head);
    expect((await repo.git("status", "--porcelain")).trim()).toBe("");
    expect((await release(repo.dir, false))[0].released).toBe(false);
  });

  it("refuses a planned tag that appeared meanwhile at another commit", async () => {
    const repo = await repoWith({}, ["fix: a"]);
    const plans = await planRelease(repo.dir, { date: fixedDate });
    await repo.tag("v1.0.0", "HEAD~1");
    await expect(applyRelease(repo.dir, plans)).rejects.toThrow(/v1\.0\.0 already exists at [0-9a-f]{7}; a version is never reused/);
  });

  it("pushes the release commit and the tag", async () => {
    const remote = await GitRepo.create("slipway-remote-");
    repos.push(remote);
    await remote.git("config", "receive.denyCurrentBranch", "ignore");
    const repo = await repoWith({}, ["feat: a"]);
    await repo.git("remote", "add", "origin", remote.dir);
    const [result] = await applyRelease(repo.dir, await planRelease(repo.dir, { date: fixedDate }), { push: true });
    expect(result.released).toBe(true);
    expect((await remote.git("rev-parse", "refs/heads/main")).trim()).toBe(result.releaseCommit);
    expect((await remote.git("rev-parse", "v1.0.0^{commit}")).trim()).toBe(result.releaseCommit);
  });
});
