/** `slipway runs`, `logs`, `schema` and the usage and environment errors, through the built CLI. */

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, lines, makeRepo, parseJson, slipway, workflowPath, type TempRepo } from "../support/cli";

const ci = `name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        os: [alpha, beta]
    steps:
      - run: echo "testing on \${{ matrix.os }}"
`;

interface RunRow {
  id: number;
  workflowFile: string;
  workflowName: string;
  runNumber: number;
  event: string;
  ref: string;
  sha: string;
  status: string;
  conclusion: string | null;
}

let repo: TempRepo;
let outside: string;
let sha: string;

beforeAll(async () => {
  assertBuilt();
  repo = await makeRepo({ [workflowPath("ci.yml")]: ci });
  sha = execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo.dir, encoding: "utf8" }).trim();
  outside = await mkdtemp(join(tmpdir(), "slipway-not-a-repo-"));
  const empty = await slipway(["runs"], repo.dir);
  expect(empty.stdout).toContain("No runs yet");
  const first = await slipway(["run"], repo.dir);
  expect(first.code, first.stderr).toBe(0);
});
afterAll(async () => {
  await repo?.remove();
  if (outside) await rm(outside, { recursive: true, force: true });
});

describe.concurrent("slipway runs", () => {
  it("prints a table of the runs", async () => {
    const result = await slipway(["runs"], repo.dir);
    expect(result.code).toBe(0);
    const [header, row, ...rest] = lines(result.stdout.trimEnd());
    expect(header?.split(/\s{2,}/)).toEqual(["RUN", "STATE", "WORKFLOW", "EVENT", "REF", "SHA", "DURATION", "CREATED"]);
    expect(row).toMatch(new RegExp(`^1\\s+✓ success\\s+CI #1\\s+push\\s+main\\s+${sha.slice(0, 7)}\\s+\\S+\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`));
    expect(rest).toEqual([]);
  });

  it("prints the runs as JSON with --json", async () => {
    const runs = parseJson<RunRow[]>(await slipway(["runs", "--json"], repo.dir));
    expect(runs).toMatchObject([
      { id: 1, workflowFile: workflowPath("ci.yml"), workflowName: "CI", runNumber: 1, event: "push", ref: "refs/heads/main", sha, status: "completed", conclusion: "success" },
    ]);
  });

  it("keeps its state where --data says", async () => {
    const data = await mkdtemp(join(tmpdir(), "slipway-data-"));
    try {
      const run = await slipway(["run", "--json", "--data", data], repo.dir);
      expect(parseJson<{ runId: number }>(run).runId).toBe(1);
      expect(parseJson<RunRow[]>(await slipway(["runs", "--json", "--data", data], repo.dir))).toHaveLength(1);
      expect(lines((await slipway(["logs", "1", "--job", "test (beta)", "--data", data], repo.dir)).stdout)).toContain("testing on beta");
    } finally {
      await rm(data, { recursive: true, force: true });
    }
  });
});

describe.concurrent("slipway logs", () => {
  it("prints every job's log", async () => {
    const result = await slipway(["logs", "1"], repo.dir);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out).toEqual(expect.arrayContaining(["=== test (alpha)", "testing on alpha", "=== test (beta)", "testing on beta"]));
  });

  it("with --job KEY prints only that matrix job", async () => {
    const result = await slipway(["logs", "1", "--job", "test (beta)"], repo.dir);
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toContain("testing on beta");
    expect(result.stdout).not.toContain("alpha");
  });

  it("names the jobs when --job matches none", async () => {
    const result = await slipway(["logs", "1", "--job", "nosuch"], repo.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Run 1 has no job 'nosuch' (jobs: test (alpha), test (beta))");
  });

  it("says there is no run 999 and exits 1", async () => {
    const result = await slipway(["logs", "999"], repo.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("There is no run 999");
    expect(result.stderr).not.toContain("    at ");
  });

  it("treats a run id that is not a number as a usage error: exit 2", async () => {
    const result = await slipway(["logs", "abc"], repo.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("'abc' is not a run id");
  });
});

describe.concurrent("usage and environment errors", () => {
  it("outside a git repository: a clear message and exit 2", async () => {
    for (const args of [["run"], ["runs"], ["logs", "1"]]) {
      const result = await slipway(args, outside, { GIT_CEILING_DIRECTORIES: tmpdir() });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("is not inside a git working copy");
      expect(result.stderr).not.toContain("    at ");
    }
  });

  it("an unknown option, command or missing argument exits 2 with the usage", async () => {
    for (const args of [["run", "--bogus"], ["frobnicate"], ["logs"]]) {
      const result = await slipway(args, repo.dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).toContain("Usage: slipway");
    }
  });
});

describe("slipway schema", () => {
  it("prints a valid JSON Schema", async () => {
    const result = await slipway(["schema"], repo.dir);
    expect(result.code).toBe(0);
    const schema = parseJson<{ $schema?: string; type?: string; properties?: Record<string, unknown> }>(result);
    expect(schema.$schema).toMatch(/^http:\/\/json-schema\.org\/draft-07\/schema#?$/);
    expect(schema.type).toBe("object");
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(["on", "jobs"]));
  });
});
