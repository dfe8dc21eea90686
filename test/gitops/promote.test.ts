/** promote(): the tag is verified, only the image field changes (comments survive), one commit with trailers, a no-op when already there. */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promote } from "../../src/gitops/promote";
import { parsePromoteTrailers } from "../../src/gitops/promote-message";
import { createTestEnvRepo, gitIn, startTestRegistry, useGitIdentity, type TestEnvRepo, type TestRegistry } from "./promote-harness";

useGitIdentity();

describe("promote", () => {
  let registry: TestRegistry;
  let repo: TestEnvRepo;
  const web = () => `${registry.host}/acme/shop/web`;
  const api = () => `${registry.host}/acme/shop/api`;

  beforeAll(async () => {
    registry = await startTestRegistry();
    await registry.push("web", ["v1.4.0"]);
    await registry.push("api", ["v1.4.0"]);
    repo = await createTestEnvRepo(registry.host);
  }, 60_000);

  afterAll(async () => {
    await repo?.remove();
    await registry?.close();
  });

  it("rewrites only the image field of envs/staging/web, keeps comments, commits with trailers and pushes", async () => {
    const before = await repo.show("envs/staging/web/deployment.yaml");
    const result = await promote({ envRepo: repo.bare, service: "web", version: "1.4.0", env: "staging", image: web(), registry: { client: registry.client }, sourceCommit: "0123456789abcdef0123456789abcdef01234567", runId: 42, actor: "mona" });
    expect(result).toMatchObject({
      alreadyAtVersion: false,
      branch: "main",
      changedFiles: ["envs/staging/web/deployment.yaml"],
      previousImage: `${web()}:v1.2.0`,
      newImage: `${web()}:v1.4.0`,
      attempts: 1,
    });
    expect(result.commit).toBe(await repo.head());
    const commit = result.commit as string;
    expect((await gitIn(repo.bare, "show", "--stat", "--format=", commit)).trim()).toMatch(/^envs\/staging\/web\/deployment\.yaml \| 2 \+-\n 1 file changed, 1 insertion\(\+\), 1 deletion\(-\)$/);
    const diff = (await gitIn(repo.bare, "show", "--format=", "--unified=0", commit)).split("\n").filter((line) => /^[+-][^+-]/.test(line));
    expect(diff).toEqual([`-          image: "${web()}:v1.2.0" # promoted by slipway`, `+          image: "${web()}:v1.4.0" # promoted by slipway`]);
    expect(await repo.show("envs/staging/web/deployment.yaml")).toBe(before.replace("web:v1.2.0", "web:v1.4.0"));
    const message = await gitIn(repo.bare, "log", "-1", "--format=%B", commit);
    expect(message.split("\n")[0]).toBe("deploy(web): v1.4.0 to staging");
    expect(parsePromoteTrailers(message)).toEqual({ Service: "web", Version: "1.4.0", Environment: "staging", "Source-Commit": "0123456789abcdef0123456789abcdef01234567", Run: "42", Actor: "mona" });
    expect((await gitIn(repo.bare, "log", "-1", "--format=%an", commit)).trim()).toBe("mona");
    // The other environments did not move.
    expect(await repo.show("envs/prod/web/deployment.yaml")).toContain("web:v1.1.0");
  });

  it("promotes a kustomize overlay through its images: entry, never the shared base", async () => {
    const result = await promote({ envRepo: repo.bare, service: "api", version: "v1.4.0", env: "prod", image: api(), registry: { client: registry.client }, actor: "mona" });
    expect(result.changedFiles).toEqual(["envs/prod/api/kustomization.yaml"]);
    expect(result.previousImage).toBe(`${api()}:v1.1.0`);
    const diff = (await gitIn(repo.bare, "show", "--format=", "--unified=0", result.commit as string)).split("\n").filter((line) => /^[+-][^+-]/.test(line));
    expect(diff).toEqual(["-    newTag: v1.1.0", "+    newTag: v1.4.0"]);
    expect(await repo.show("base/api/deployment.yaml")).toContain("api:v1.0.0");
  });

  it("refuses a tag the registry does not have, naming image:tag, and commits nothing", async () => {
    const head = await repo.head();
    await expect(promote({ envRepo: repo.bare, service: "web", version: "9.9.9", env: "staging", image: web(), registry: { client: registry.client }, actor: "mona" }))
      .rejects.toThrow(`image ${web()}:v9.9.9 does not exist in the registry ${registry.host}`);
    expect(await repo.head()).toBe(head);
  });

  it("is a no-op when the environment is already at the version", async () => {
    const head = await repo.head();
    const count = await repo.count();
    const result = await promote({ envRepo: repo.bare, service: "web", version: "1.4.0", env: "staging", image: web(), registry: { client: registry.client }, actor: "mona" });
    expect(result).toMatchObject({ commit: undefined, alreadyAtVersion: true, changedFiles: [], previousImage: `${web()}:v1.4.0`, newImage: `${web()}:v1.4.0`, attempts: 1 });
    expect(await repo.head()).toBe(head);
    expect(await repo.count()).toBe(count);
  });

  it("skips the registry with verifyTag: false, and refuses bad input before touching git", async () => {
    const result = await promote({ envRepo: repo.bare, service: "web", version: "2.0.0", env: "dev", image: web(), verifyTag: false, actor: "mona" });
    expect(result.changedFiles).toEqual(["envs/dev/web/deployment.yaml"]);
    await expect(promote({ envRepo: repo.bare, service: "web", version: "latest", env: "dev", image: web(), verifyTag: false, actor: "mona" })).rejects.toThrow("not a semantic version: latest");
    await expect(promote({ envRepo: repo.bare, service: "../web", version: "1.0.0", env: "dev", image: web(), verifyTag: false, actor: "mona" })).rejects.toThrow('invalid service name: "../web"');
    await expect(promote({ envRepo: repo.bare, service: "cart", version: "1.0.0", env: "dev", image: web(), verifyTag: false, actor: "mona" })).rejects.toThrow("envs/dev/cart does not exist");
  });
});
