/** One shell for several git reads at once: results in order with exit codes, arguments never read as shell text. */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { gitBatch } from "../../src/release/git-batch";
import { readRepositoryFacts } from "../../src/release/git-refs";
import { GitRepo } from "../support/git-repo";

const repos: GitRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
});

it("runs the commands at once and reports each output and exit code in order", async () => {
  const repo = await GitRepo.create("slipway-batch-");
  repos.push(repo);
  await repo.writeFiles({ "a.txt": "a" });
  const sha = await repo.commitAll("feat: a");
  await repo.git("tag", "-a", "v1.0.0", "-m", "v1.0.0");
  const { results } = await gitBatch([["rev-parse", "HEAD"], ["config", "--get", "remote.origin.url"], ["tag", "--list"]], repo.dir);
  expect(results).toEqual([{ stdout: `${sha}\n`, code: 0 }, { stdout: "", code: 1 }, { stdout: "v1.0.0\n", code: 0 }]);
  const facts = await readRepositoryFacts(repo.dir, "HEAD", true);
  expect(facts).toMatchObject({ headSha: sha, branch: "main", tags: [{ name: "v1.0.0", commit: sha }], commonDir: join(repo.dir, ".git") });
  expect(facts.originUrl).toBeUndefined();
});

it("passes a hostile revision to git as one argument", async () => {
  const repo = await GitRepo.create("slipway-batch-");
  repos.push(repo);
  await repo.commitAll("feat: a");
  const marker = join(repo.root, "pwned");
  await expect(readRepositoryFacts(repo.dir, `HEAD"; touch ${marker}; echo "`, false)).rejects.toMatchObject({ code: "GIT_FAILED" });
  expect(existsSync(marker)).toBe(false);
});
