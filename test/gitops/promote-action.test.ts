/** `slipway/promote` inside a real workflow run: outputs, trailers carrying the run and its commit, a failure for a missing tag. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePromoteTrailers } from "../../src/gitops/promote-message";
import { registerDefaultBuiltins } from "../../src/workflow/actions/builtin/defaults";
import { runWorkflow } from "../../src/workflow/engine/run-workflow";
import { parseWorkflowFile } from "../../src/workflow/parse";
import { GitRepo } from "../support/git-repo";
import { createTestEnvRepo, gitIn, startTestRegistry, useGitIdentity, type TestEnvRepo, type TestRegistry } from "./promote-harness";

useGitIdentity();
registerDefaultBuiltins();

describe("slipway/promote action", () => {
  let registry: TestRegistry;
  let envRepo: TestEnvRepo;
  let app: GitRepo;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    registry = await startTestRegistry();
    await registry.push("web", ["v1.5.0"]);
    envRepo = await createTestEnvRepo(registry.host);
    app = await GitRepo.create("slipway-promote-app-");
    await app.writeFiles({ "README.md": "shop\n" });
    await app.commitAll("feat: shop");
  }, 60_000);

  afterAll(async () => {
    await Promise.all(cleanup.map((fn) => fn()));
    await app?.remove();
    await envRepo?.remove();
    await registry?.close();
  });

  async function runPromote(version: string, runId: number) {
    const source = [
      "name: deploy",
      "on: push",
      "jobs:",
      "  deploy:",
      "    runs-on: ubuntu-latest",
      "    steps:",
      "      - id: promote",
      "        uses: slipway/promote@v1",
      "        with:",
      "          service: web",
      `          version: ${version}`,
      "          environment: staging",
      `          env-repo: ${envRepo.bare}`,
      `          image: ${registry.host}/acme/shop/web`,
      "          username: admin",
      `          token: ${registry.token}`,
      "",
    ].join("\n");
    const parsed = await parseWorkflowFile(".github/workflows/deploy.yml", source);
    if (!parsed.workflow) throw new Error(`invalid workflow: ${JSON.stringify(parsed.diagnostics)}`);
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-promote-data-"));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const sha = await app.sha("HEAD");
    const result = await runWorkflow({
      workflow: parsed.workflow,
      event: { name: "push", ref: "refs/heads/main", sha, actor: "hubot", repository: "acme/shop", payload: {} },
      repoDir: app.dir,
      dataDir,
      runId,
      runNumber: runId,
    });
    const step = result.jobs[0]?.steps.find((s) => s.outputs["new-image"] !== undefined);
    return { result, sha, outputs: step?.outputs ?? {} };
  }

  it("commits the new image with the run id and the run's commit, then fails cleanly on a missing tag", async () => {
    const first = await runPromote("1.5.0", 7);
    expect(first.result.conclusion).toBe("success");
    expect(first.outputs).toMatchObject({ changed: "true", "changed-files": "envs/staging/web/deployment.yaml", "previous-image": `${registry.host}/acme/shop/web:v1.2.0`, "new-image": `${registry.host}/acme/shop/web:v1.5.0`, attempts: "1" });
    expect(first.outputs.commit).toBe(await envRepo.head());
    const message = await gitIn(envRepo.bare, "log", "-1", "--format=%B", "refs/heads/main");
    expect(parsePromoteTrailers(message)).toMatchObject({ Service: "web", Version: "1.5.0", Run: "7", "Source-Commit": first.sha, Actor: "hubot" });

    const again = await runPromote("1.5.0", 8);
    expect(again.result.conclusion).toBe("success");
    expect(again.outputs).toMatchObject({ changed: "false", commit: "" });

    const head = await envRepo.head();
    const missing = await runPromote("3.0.0", 9);
    expect(missing.result.conclusion).toBe("failure");
    expect(await envRepo.head()).toBe(head);
  }, 60_000);
});
