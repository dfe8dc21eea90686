import { execFileSync, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cliEnv, makeRepo, slipway, type TempRepo } from "../support/cli";

const lintWorkflow = `on: push
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: "! grep -rn TODO src"
`;

describe("slipway hooks install", () => {
  let repo: TempRepo;
  const commit = (message: string) => spawnSync("git", ["commit", "-q", "-m", message], { cwd: repo.dir, env: cliEnv(), encoding: "utf8" });
  const stage = async (path: string, content: string) => {
    await repo.write(path, content);
    execFileSync("git", ["add", "-A"], { cwd: repo.dir, env: cliEnv() });
  };
  const head = () => execFileSync("git", ["log", "--format=%s", "-1"], { cwd: repo.dir, env: cliEnv(), encoding: "utf8" }).trim();

  beforeAll(async () => {
    assertBuilt();
    repo = await makeRepo({ ".github/workflows/ci.yml": lintWorkflow, "src/a.txt": "ok\n" });
    const installed = await slipway(["hooks", "install"], repo.dir);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain("installed pre-commit");
    expect(installed.stdout).toContain("installed commit-msg");
  });

  afterAll(async () => repo?.remove());

  it("refuses a commit whose staged changes fail the lint job, through the engine", async () => {
    await stage("src/b.txt", "TODO: later\n");
    const result = commit("feat: add b");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("the 'lint' job failed on the staged changes");
    expect(head()).toBe("initial");
  });

  it("refuses a message that is not a conventional commit", async () => {
    await stage("src/b.txt", "fine\n");
    const result = commit("added b");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("is not a conventional commit");
    expect(head()).toBe("initial");
  });

  it("accepts a clean change with a conventional message", async () => {
    const result = commit("feat(src): add b");
    expect(result.status, result.stderr).toBe(0);
    expect(head()).toBe("feat(src): add b");
  });

  it("keeps a hook it did not write unless forced", async () => {
    const other = await makeRepo({ "x.txt": "x" });
    try {
      const hook = join(other.dir, ".git/hooks/pre-commit");
      execFileSync("sh", ["-c", `printf '#!/bin/sh\\necho mine\\n' > ${hook} && chmod +x ${hook}`]);
      const kept = await slipway(["hooks", "install"], other.dir);
      expect(kept.stdout).toContain("kept your existing pre-commit hook");
      expect(await readFile(hook, "utf8")).toContain("echo mine");
      await slipway(["hooks", "install", "--force"], other.dir);
      expect(await readFile(hook, "utf8")).toContain("hooks run pre-commit");
    } finally {
      await other.remove();
    }
  });
});
