/** Writers to one env repo in one process take turns: 10 concurrent commits cost 10 pushes (no retry storm), all land, and a failing writer does not block the next. */

import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitToEnvRepo } from "../../src/gitops/env-clone";

const run = promisify(execFile);
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "Mona", GIT_AUTHOR_EMAIL: "mona@example.com", GIT_COMMITTER_NAME: "Mona", GIT_COMMITTER_EMAIL: "mona@example.com" };
const git = async (cwd: string, ...args: string[]): Promise<string> => (await run("git", args, { cwd, env })).stdout.trim();

describe("env repo writes in one process", () => {
  let root: string;
  let bare: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "slipway-env-turns-"));
    bare = join(root, "deploy.git");
    const work = join(root, "work");
    await git(root, "init", "--quiet", "--initial-branch=main", work);
    await writeFile(join(work, "README.md"), "env\n");
    await git(work, "add", "README.md");
    await git(work, "commit", "--quiet", "--no-gpg-sign", "-m", "start");
    await git(root, "clone", "--quiet", "--bare", work, bare);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("lands 10 concurrent writers with one push each, and goes on after a writer that throws", async () => {
    const write = (name: string) =>
      commitToEnvRepo({ envRepo: bare, env }, async (clone) => {
        await writeFile(join(clone.dir, `${name}.txt`), `${name}\n`);
        await git(clone.dir, "add", `${name}.txt`);
        await git(clone.dir, "commit", "--quiet", "--no-gpg-sign", "-m", name);
        return { commit: true, value: name };
      });
    const failing = commitToEnvRepo({ envRepo: bare, env }, () => Promise.reject(new Error("writer broke")));
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, index) => write(`w${index}`)));
    await expect(failing).rejects.toThrow("writer broke");
    expect(outcomes.map((outcome) => outcome.attempts)).toEqual(Array.from({ length: 10 }, () => 1));
    const log = (await git(bare, "log", "--format=%s", "main")).split("\n");
    expect(log).toHaveLength(11);
    expect(new Set(log)).toEqual(new Set(["start", ...outcomes.map((outcome) => outcome.value)]));
  }, 60_000);
});
