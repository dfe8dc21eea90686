/** `slipway/release` inside a real workflow run: outputs, push, and a second run that releases nothing. */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { releaseAction } from "../../src/release/release-action";
import { registerDefaultBuiltins } from "../../src/workflow/actions/builtin/defaults";
import { registerBuiltinAction } from "../../src/workflow/actions/builtin/registry";
import { runWorkflow } from "../../src/workflow/engine/run-workflow";
import { parseWorkflowFile } from "../../src/workflow/parse";
import { GitRepo } from "../support/git-repo";
import { useTestGitIdentity } from "./history-harness";

useTestGitIdentity();
registerDefaultBuiltins();
registerBuiltinAction(releaseAction);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((fn) => fn()));
});

async function runRelease(repo: GitRepo, steps: string, runId: number) {
  const source = `name: release\non: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
  const parsed = await parseWorkflowFile(".github/workflows/release.yml", source);
  if (!parsed.workflow) throw new Error(`invalid workflow: ${JSON.stringify(parsed.diagnostics)}`);
  const dataDir = await mkdtemp(join(tmpdir(), "slipway-release-data-"));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const sha = await repo.sha("HEAD");
  const result = await runWorkflow({
    workflow: parsed.workflow,
    event: { name: "push", ref: "refs/heads/main", sha, actor: "mona", repository: "shop/app", payload: {} },
    repoDir: repo.dir,
    dataDir,
    runId,
    runNumber: runId,
  });
  const job = result.jobs[0];
  const step = job?.steps.find((s) => s.name.includes("release") || s.outputs.released !== undefined);
  return { result, job, outputs: step?.outputs ?? {} };
}

describe("slipway/release action", () => {
  it("tags the run's commit without a checkout, then releases nothing on the same commit", async () => {
    const repo = await GitRepo.create("slipway-action-");
    cleanup.push(() => repo.remove());
    await repo.writeFiles({ "a.txt": "a" });
    await repo.commitAll("feat: first feature (#7)");
    const steps = "      - id: rel\n        uses: slipway/release@v1\n      - run: echo \"tag=${{ steps.rel.outputs.tag }} released=${{ steps.rel.outputs.released }}\"\n";
    const first = await runRelease(repo, steps, 1);
    expect(first.result.conclusion).toBe("success");
    expect(first.outputs).toMatchObject({ released: "true", version: "1.0.0", tag: "v1.0.0" });
    expect(first.outputs.changelog).toContain("* first feature (#7)");
    expect((await repo.sha("v1.0.0"))).toBe(await repo.sha("HEAD"));
    const second = await runRelease(repo, steps, 2);
    expect(second.outputs).toMatchObject({ released: "false", version: "", tag: "" });
  });

  it("commits the changelog in the checkout and pushes commit and tag", async () => {
    const remote = await GitRepo.create("slipway-action-remote-");
    const repo = await GitRepo.create("slipway-action-");
    cleanup.push(() => repo.remove(), () => remote.remove());
    await remote.git("config", "receive.denyCurrentBranch", "ignore");
    await repo.git("remote", "add", "origin", remote.dir);
    await repo.writeFiles({ "a.txt": "a" });
    await repo.commitAll("fix: a bug");
    await repo.tag("v2.3.0", "HEAD~0");
    await repo.writeFiles({ "b.txt": "b" });
    await repo.commitAll("feat: b");
    const steps = "      - uses: slipway/checkout@v1\n      - id: rel\n        uses: slipway/release@v1\n        with:\n          push: true\n";
    const run = await runRelease(repo, steps, 3);
    expect(run.result.conclusion).toBe("success");
    expect(run.outputs).toMatchObject({ released: "true", version: "2.4.0", tag: "v2.4.0" });
    const pushed = (await remote.git("rev-parse", "refs/heads/main")).trim();
    expect((await remote.git("log", "-1", "--format=%s", pushed)).trim()).toBe("chore(release): app v2.4.0 [skip ci]");
    expect((await remote.git("show", `${pushed}:CHANGELOG.md`))).toContain("## 2.4.0");
    expect((await remote.git("rev-parse", "v2.4.0^{commit}")).trim()).toBe(pushed);
  });

  it("dry-run reports the next version and releases nothing", async () => {
    const repo = await GitRepo.create("slipway-action-");
    cleanup.push(() => repo.remove());
    await repo.writeFiles({ "a.txt": "a" });
    await repo.commitAll("feat: x");
    const run = await runRelease(repo, "      - id: rel\n        uses: slipway/release@v1\n        with:\n          dry-run: true\n", 4);
    expect(run.outputs).toMatchObject({ released: "false", version: "1.0.0", tag: "v1.0.0" });
    expect((await repo.git("tag", "-l")).trim()).toBe("");
  });
});
