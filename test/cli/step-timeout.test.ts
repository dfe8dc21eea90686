/**
 * A step that forks children (a background job, a setsid'd one, a double fork, a nohup) and then
 * exceeds `timeout-minutes`: the step fails with the timeout message, the run fails, and nothing
 * the step started survives the run.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, killMarked, lines, makeRepo, parseJson, processesWithArgument, slipway, uniqueSleepMarker, workflowPath, type TempRepo } from "../support/cli";

const marker = uniqueSleepMarker();
const workflow = `on: workflow_dispatch
jobs:
  forks:
    runs-on: ubuntu-latest
    steps:
      - name: Fork and hang
        timeout-minutes: 0.05
        run: |
          sleep ${marker}1 &
          setsid sleep ${marker}2 &
          ( ( sleep ${marker}3 & ) & )
          nohup sleep ${marker}4 >/dev/null 2>&1 &
          echo "children started"
          sleep ${marker}5
      - name: Report
        if: always()
        run: echo "report ran"
`;

interface RunJson {
  runId: number;
  conclusion: string;
  jobs: { key: string; conclusion: string; steps: { name: string; outcome: string; conclusion: string }[] }[];
}

let repo: TempRepo;

beforeAll(async () => {
  assertBuilt();
  repo = await makeRepo({ [workflowPath("forks.yml")]: workflow });
});
afterAll(async () => {
  await killMarked(marker);
  await repo?.remove();
});

describe("a forking step that exceeds timeout-minutes", () => {
  it("fails with the timeout message, fails the run, and leaves no process behind", async () => {
    const started = Date.now();
    const result = await slipway(["run", "--json", "--workflow", "forks.yml"], repo.dir);
    const elapsed = Date.now() - started;
    expect(result.code).toBe(1);
    const run = parseJson<RunJson>(result);
    expect(run.conclusion).toBe("failure");
    expect(run.jobs[0]?.conclusion).toBe("failure");
    expect(run.jobs[0]?.steps).toMatchObject([
      { name: "Fork and hang", outcome: "failure", conclusion: "failure" },
      { name: "Report", conclusion: "success" },
    ]);
    // 0.05 minutes is 3 s: the step is stopped then, not when its sleeps end.
    expect(elapsed).toBeLessThan(20_000);
    const logs = await slipway(["logs", String(run.runId)], repo.dir);
    expect(lines(logs.stdout)).toContain("children started");
    expect(logs.stdout).toMatch(/##\[error\].*timed out/);
    expect(lines(logs.stdout)).toContain("report ran");
    expect(await processesWithArgument(marker)).toEqual([]);
  });
});
