/** 10 simultaneous promotions of 10 services: 10 commits, none lost (moved heads are re-applied, never overwritten). */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { commitToEnvRepo } from "../../src/gitops/env-clone";
import { promote } from "../../src/gitops/promote";
import { createTestEnvRepo, gitIn, startTestRegistry, useGitIdentity, type TestEnvRepo, type TestRegistry } from "./promote-harness";

useGitIdentity();

const services = Array.from({ length: 10 }, (_, index) => `svc${index}`);

describe("concurrent promotions", () => {
  let registry: TestRegistry;
  let repo: TestEnvRepo;

  beforeAll(async () => {
    registry = await startTestRegistry();
    for (const name of services) await registry.push(name, ["v2.0.0"]);
    repo = await createTestEnvRepo(registry.host, services);
  }, 60_000);

  afterAll(async () => {
    await repo?.remove();
    await registry?.close();
  });

  it("lands all 10 with one commit each on top of each other", async () => {
    const start = await repo.head();
    const started = Date.now();
    const results = await Promise.all(services.map((name) =>
      promote({ envRepo: repo.bare, service: name, version: "2.0.0", env: "staging", image: `${registry.host}/acme/shop/${name}`, registry: { client: registry.client }, runId: name, actor: "mona" })));
    const elapsed = Date.now() - started;
    const attempts = results.map((result) => result.attempts);
    console.log(`10 concurrent promotions: ${elapsed} ms, attempts ${attempts.join(",")}`);

    expect(new Set(results.map((result) => result.commit)).size).toBe(10);
    expect(results.every((result) => result.commit !== undefined && !result.alreadyAtVersion)).toBe(true);
    const log = (await gitIn(repo.bare, "rev-list", "--first-parent", `${start}..refs/heads/main`)).trim().split("\n");
    expect(log).toHaveLength(10);
    expect(new Set(log)).toEqual(new Set(results.map((result) => result.commit)));
    // Linear history: each commit changes exactly its own service's file.
    const touched = (await gitIn(repo.bare, "log", "--format=", "--name-only", `${start}..refs/heads/main`)).trim().split("\n").sort();
    expect(touched).toEqual(services.map((name) => `envs/staging/${name}/deployment.yaml`).sort());
    for (const name of services) {
      const text = await repo.show(`envs/staging/${name}/deployment.yaml`);
      expect(text).toContain(`image: ${registry.host}/acme/shop/${name}:v2.0.0 # promoted by slipway`);
      expect(text).toContain("replicas: 1 # one is plenty");
    }
  }, 120_000);

  it("re-applies the change on the new head when the push is refused as a non-fast-forward", async () => {
    const other = join(repo.root, "other");
    await gitIn(repo.root, "clone", "--quiet", repo.bare, other);
    const seen: string[] = [];
    const outcome = await commitToEnvRepo({ envRepo: repo.bare }, async (clone, attempt) => {
      seen.push((await gitIn(clone.dir, "rev-parse", "HEAD")).trim());
      if (attempt === 1) {
        // Someone else pushes between our clone and our push.
        await writeFile(join(other, "NOTE.md"), "moved\n");
        await gitIn(other, "add", "NOTE.md");
        await gitIn(other, "commit", "--quiet", "--no-gpg-sign", "-m", "someone else");
        await gitIn(other, "push", "--quiet", "origin", "HEAD:refs/heads/main");
      }
      await writeFile(join(clone.dir, "MINE.md"), `attempt ${attempt}\n`);
      await gitIn(clone.dir, "add", "MINE.md");
      await gitIn(clone.dir, "commit", "--quiet", "--no-gpg-sign", "-m", "mine");
      return { commit: true, value: attempt };
    });
    expect(outcome).toMatchObject({ value: 2, attempts: 2, branch: "main" });
    expect(seen[1]).not.toBe(seen[0]);
    expect(outcome.commit).toBe(await repo.head());
    expect(await repo.show("NOTE.md")).toBe("moved\n");
    expect(await repo.show("MINE.md")).toBe("attempt 2\n");
  });
});
