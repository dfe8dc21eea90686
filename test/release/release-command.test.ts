/** `slipway release` driven in-process through commander: --dry-run --json, the table, --no-commit, --service. */

import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerReleaseCommand } from "../../src/cli/commands/release";
import { join } from "node:path";
import { openStore, type ReleaseRecord } from "../../src/store";
import { GitRepo } from "../support/git-repo";
import { useTestGitIdentity } from "./history-harness";

useTestGitIdentity();

const repos: GitRepo[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = 0;
  await Promise.all(repos.splice(0).map((repo) => repo.remove()));
});

async function slipwayRelease(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const program = new Command("slipway").exitOverride();
  registerReleaseCommand(program);
  process.exitCode = 0;
  await program.parseAsync(["node", "slipway", "release", ...args]);
  const code = Number(process.exitCode ?? 0);
  vi.restoreAllMocks();
  return { stdout, stderr, code };
}

async function monorepo(): Promise<GitRepo> {
  const repo = await GitRepo.create("slipway-cli-release-");
  repos.push(repo);
  await repo.writeFiles({ "slipway.release.json": JSON.stringify({ services: [{ path: "services/api" }, { path: "services/web" }] }) });
  await repo.commitAll("chore: init");
  await repo.tag("api/v1.0.0");
  await repo.writeFiles({ "services/api/a.txt": "a", "services/web/w.txt": "w" });
  await repo.commitAll("feat: touch both");
  return repo;
}

describe("slipway release", () => {
  it("--dry-run --json lists every service and changes nothing", async () => {
    const repo = await monorepo();
    const { stdout, code } = await slipwayRelease(["--dry-run", "--json", "--repo", repo.dir]);
    expect(code).toBe(0);
    const plans = JSON.parse(stdout) as Record<string, unknown>[];
    expect(plans.map((p) => [p.service, p.previousVersion, p.nextVersion, p.bump, p.tag])).toEqual([
      ["api", "1.0.0", "1.1.0", "minor", "api/v1.1.0"],
      ["web", null, "1.0.0", "initial", "web/v1.0.0"],
    ]);
    expect(Object.keys(plans[0]).sort()).toEqual(["bump", "changelog", "nextVersion", "previousVersion", "service", "tag"]);
    expect((await repo.git("tag", "-l")).trim()).toBe("api/v1.0.0");
  });

  it("prints a table, releases, and a second run says already released", async () => {
    const repo = await monorepo();
    const first = await slipwayRelease(["--repo", repo.dir, "--service", "web"]);
    expect(first.stdout).toMatch(/^SERVICE\s+PREVIOUS\s+NEXT\s+BUMP\s+TAG\s+STATE/);
    expect(first.stdout).toMatch(/web\s+—\s+1\.0\.0\s+initial\s+web\/v1\.0\.0\s+released/);
    expect(first.stdout).not.toMatch(/^api/m);
    const second = await slipwayRelease(["--repo", repo.dir, "--json"]);
    const results = JSON.parse(second.stdout) as { service: string; released: boolean; nextVersion: string | null }[];
    expect(results.map((r) => [r.service, r.nextVersion, r.released])).toEqual([
      ["api", "1.1.0", true],
      ["web", null, false],
    ]);
  });

  it("records each release in the local store once, however often it runs", async () => {
    const repo = await monorepo();
    await slipwayRelease(["--repo", repo.dir, "--dry-run"]);
    expect(await releasesIn(repo)).toEqual([]);
    expect((await slipwayRelease(["--repo", repo.dir, "--no-commit"])).code).toBe(0);
    const head = await repo.sha("HEAD");
    const recorded = await releasesIn(repo);
    expect(recorded.map((r) => [r.service, r.version, r.tag, r.sha, r.previousVersion, r.bump])).toEqual([
      ["web", "1.0.0", "web/v1.0.0", head, null, "initial"],
      ["api", "1.1.0", "api/v1.1.0", head, "1.0.0", "minor"],
    ]);
    expect(recorded[1].repo).toMatch(/^local\//);
    expect(recorded[1].changelog).toContain("touch both");
    // Again on the same commit: the tags are there, nothing new is released or recorded.
    expect((await slipwayRelease(["--repo", repo.dir, "--no-commit"])).code).toBe(0);
    expect(await releasesIn(repo)).toEqual(recorded);
  });

  it("--no-commit tags without a release commit; --prerelease rc makes an rc", async () => {
    const repo = await monorepo();
    const head = await repo.sha("HEAD");
    const { code } = await slipwayRelease(["--repo", repo.dir, "--no-commit", "--prerelease", "rc", "--service", "api"]);
    expect(code).toBe(0);
    expect(await repo.sha("HEAD")).toBe(head);
    expect(await repo.sha("api/v1.1.0-rc.1")).toBe(head);
  });

  it("an unknown service is a usage error (exit 2)", async () => {
    const repo = await monorepo();
    const { code, stderr } = await slipwayRelease(["--repo", repo.dir, "--service", "nope", "--dry-run"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown service 'nope'");
  });
});

async function releasesIn(repo: GitRepo): Promise<ReleaseRecord[]> {
  const store = await openStore({ dialect: "sqlite", path: join(repo.dir, ".git", "slipway", "slipway.db") });
  try {
    return await store.releases.list({ repo: (await store.db.selectFrom("releases").select("repo").executeTakeFirst())?.repo ?? "" });
  } finally {
    await store.close();
  }
}
