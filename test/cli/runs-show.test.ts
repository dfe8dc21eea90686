import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, makeRepo, parseJson, slipway, type TempRepo } from "../support/cli";

const workflow = `on: push
jobs:
  build:
    runs-on: windows-latest
    steps:
      - id: v
        run: echo "version=2.0.0" >> "$GITHUB_OUTPUT"
      - run: exit 4
        continue-on-error: true
`;

describe("slipway runs show", () => {
  let repo: TempRepo;
  beforeAll(async () => {
    assertBuilt();
    repo = await makeRepo({ ".github/workflows/ci.yml": workflow });
    expect((await slipway(["run"], repo.dir)).code).toBe(0);
  });
  afterAll(async () => repo?.remove());

  it("prints the run with its jobs and steps as JSON", async () => {
    const run = parseJson<{ id: number; conclusion: string; jobs: { jobKey: string; steps: { number: number; outcome: string; conclusion: string; outputs: Record<string, string> }[] }[] }>(
      await slipway(["runs", "show", "1", "--json"], repo.dir),
    );
    expect(run.id).toBe(1);
    expect(run.conclusion).toBe("success");
    expect(run.jobs[0]?.jobKey).toBe("build");
    expect(run.jobs[0]?.steps.map((s) => [s.number, s.outcome, s.conclusion])).toEqual([
      [1, "success", "success"],
      [2, "failure", "success"],
    ]);
    expect(run.jobs[0]?.steps[0]?.outputs).toEqual({ version: "2.0.0" });
  });

  it("prints a tree for people, and warns in the log about a non-Linux runner", async () => {
    const shown = await slipway(["runs", "show", "1"], repo.dir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/build/);
    expect(shown.stdout).toMatch(/2\. Run exit 4/);
    const logs = await slipway(["logs", "1"], repo.dir);
    expect(logs.stdout).toContain("##[warning]runs-on windows-latest: the host executor runs Linux jobs");
  });

  it("names a missing run", async () => {
    const missing = await slipway(["runs", "show", "42"], repo.dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no run 42");
  });
});
