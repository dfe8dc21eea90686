/**
 * Ctrl-C in the middle of `slipway run`: slipway exits 130, the run and its jobs are recorded as
 * cancelled with the output written so far, no process of the steps survives, and `if: always()`
 * steps still run, as on GitHub.
 */

import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type RunWithJobs } from "../../src/store";
import {
  assertBuilt, finished, killIfRunning, killMarked, lines, makeRepo, parseJson, processesWithArgument, slipway, startSlipway,
  uniqueSleepMarker, waitFor, workflowPath, type CliResult, type TempRepo,
} from "../support/cli";

const marker = uniqueSleepMarker();
const workflow = `name: Long
on: workflow_dispatch
jobs:
  long:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - name: Work
        run: |
          echo "working \${{ matrix.n }}"
          sleep ${marker}1 &
          setsid sleep ${marker}2 &
          sleep ${marker}3
          echo "not reached"
      - name: Clean up
        if: always()
        run: echo "cleanup \${{ matrix.n }}"
`;

interface RunRow {
  id: number;
  status: string;
  conclusion: string | null;
}
interface RunJson {
  runId: number;
  conclusion: string;
  jobs: { key: string; conclusion: string; steps: { name: string; conclusion: string | null }[] }[];
}

let repo: TempRepo;
let child: ChildProcess | undefined;
let result: CliResult;
let stored: RunWithJobs;
let logs: string;
const logLines = (): string[] => lines(logs);
let survivors: number[];
let runs: RunRow[];

beforeAll(async () => {
  assertBuilt();
  repo = await makeRepo({ [workflowPath("long.yml")]: workflow });
  child = startSlipway(["run", "--json", "--workflow", "long.yml"], repo.dir);
  const exited = finished(child);
  // Run 1 in a fresh repository: wait until both matrix jobs have printed and their children are up.
  await waitFor(
    "both jobs' output in `slipway logs 1`",
    async () => {
      const out = await slipway(["logs", "1"], repo.dir);
      return out.stdout.includes("working 1") && out.stdout.includes("working 2") ? true : undefined;
    },
    20_000,
    200,
  );
  await waitFor("the steps' children", async () => ((await processesWithArgument(marker)).length >= 6 ? true : undefined), 5_000, 50);
  child.kill("SIGINT");
  result = await exited;
  survivors = await processesWithArgument(marker);
  logs = (await slipway(["logs", "1"], repo.dir)).stdout;
  runs = parseJson<RunRow[]>(await slipway(["runs", "--json"], repo.dir));
  // Last: the store from src/ migrates the database to its own schema, which a stale dist/ may not know yet.
  const store = await openStore({ dialect: "sqlite", path: join(repo.dir, ".git/slipway/slipway.db") });
  try {
    const run = await store.runs.getRun(1);
    if (!run) throw new Error("run 1 was not recorded");
    stored = run;
  } finally {
    await store.close();
  }
}, 60_000);

afterAll(async () => {
  killIfRunning(child);
  await killMarked(marker);
  await repo?.remove();
});

/** A second Ctrl-C stops at once: no waiting for steps to end, yet nothing left running and nothing left `in_progress`. */
describe("a second Ctrl-C during slipway run", () => {
  const forceMarker = uniqueSleepMarker();
  let forceRepo: TempRepo | undefined;
  let forced: ChildProcess | undefined;
  afterAll(async () => {
    killIfRunning(forced);
    await killMarked(forceMarker);
    await forceRepo?.remove();
  });

  it("exits 130, ends every step process and records the run as cancelled", async () => {
    forceRepo = await makeRepo({ [workflowPath("long.yml")]: workflow.replaceAll(marker, forceMarker) });
    forced = startSlipway(["run", "--workflow", "long.yml"], forceRepo.dir);
    const exited = finished(forced);
    await waitFor("the steps' children", async () => ((await processesWithArgument(forceMarker)).length >= 6 ? true : undefined), 20_000, 50);
    forced.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 20));
    forced.kill("SIGINT");
    const outcome = await exited;
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.stderr).toContain("Stopping now");
    expect(await processesWithArgument(forceMarker)).toEqual([]);
    const runs = parseJson<RunRow[]>(await slipway(["runs", "--json"], forceRepo.dir));
    expect(runs).toMatchObject([{ status: "completed", conclusion: "cancelled" }]);
  });
});

describe("Ctrl-C during slipway run", () => {
  it("exits 130 and still prints the cancelled run as JSON", () => {
    expect(result.code, result.stderr).toBe(130);
    const run = parseJson<RunJson>(result);
    expect(run.conclusion).toBe("cancelled");
    expect(run.jobs.map((j) => [j.key, j.conclusion])).toEqual([["long (1)", "cancelled"], ["long (2)", "cancelled"]]);
  });

  it("records the run and its jobs as completed and cancelled", () => {
    expect(runs).toMatchObject([{ id: 1, status: "completed", conclusion: "cancelled" }]);
    expect(stored.jobs.map((j) => [j.jobKey, j.status, j.conclusion])).toEqual([
      ["long (1)", "completed", "cancelled"],
      ["long (2)", "completed", "cancelled"],
    ]);
  });

  it("keeps the log lines written before the interrupt", () => {
    expect(logLines()).toContain("working 1");
    expect(logLines()).toContain("working 2");
    expect(logLines()).not.toContain("not reached");
  });

  it("leaves no process of the steps behind", () => {
    expect(survivors).toEqual([]);
  });

  // GitHub runs `if: always()` steps of a cancelled job; slipway hands them the already-aborted signal (see the report).
  it("still runs the `if: always()` step after the cancelled one", () => {
    expect(logLines()).toContain("cleanup 1");
    expect(logLines()).toContain("cleanup 2");
  });
});
