/**
 * bench/workflow-overhead: the engine's cost per job against the same commands run by a plain shell
 * script, measured in the same process; and how fast a 256-combination matrix is dispatched.
 * Usage: node dist/bench/workflow-overhead.js [--record]   (--record appends the figures to bench/RESULTS.md)
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../src/store";
import type { JobState } from "../src/workflow/engine/run-listener";
import { parseWorkflowFile } from "../src/workflow/parse";
import { createRunRecord, executeRecordedRun } from "../src/workflow/recorded-run";
import type { TriggerEvent } from "../src/workflow/trigger-event";
import { recordResults, machineDescription } from "./record";

const jobCount = 20;
const rounds = 3;

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

function makeRepo(): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), "slipway-bench-"));
  mkdirSync(join(dir, ".github/workflows"), { recursive: true });
  const jobs = Array.from({ length: jobCount }, (_, i) => `  job${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n`).join("");
  writeFileSync(join(dir, ".github/workflows/twenty.yml"), `name: twenty\non: push\njobs:\n${jobs}`);
  const axis = Array.from({ length: 16 }, (_, i) => i).join(", ");
  writeFileSync(
    join(dir, ".github/workflows/matrix.yml"),
    `name: matrix\non: push\njobs:\n  m:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        a: [${axis}]\n        b: [${axis}]\n    steps:\n      - run: "true"\n`,
  );
  git(["init", "-q", "-b", "main"], dir);
  git(["add", "-A"], dir);
  git(["-c", "user.name=bench", "-c", "user.email=bench@localhost", "commit", "-qm", "bench"], dir);
  return { dir, sha: git(["rev-parse", "HEAD"], dir) };
}

/** The baseline: a plain bash script that runs each job's command as the engine does, one bash per step. */
function baselineMs(dir: string, count: number): number {
  const script = join(dir, "baseline.sh");
  writeFileSync(join(dir, "step.sh"), "true\n");
  writeFileSync(script, `for i in $(seq ${count}); do bash --noprofile --norc -e ${join(dir, "step.sh")}; done\n`);
  const start = performance.now();
  execFileSync("bash", [script]);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const { dir, sha } = makeRepo();
  const store = await openStore({ dialect: "sqlite", path: join(dir, "bench.db") });
  const event: TriggerEvent = { name: "push", ref: "refs/heads/main", sha, actor: "bench", repository: "bench/repo", payload: {} };
  const load = async (file: string) => {
    const parsed = await parseWorkflowFile(file, (await import("node:fs")).readFileSync(join(dir, file), "utf8"));
    if (!parsed.workflow) throw new Error(`bench workflow ${file} is invalid`);
    return parsed.workflow;
  };
  const twenty = await load(".github/workflows/twenty.yml");
  const matrix = await load(".github/workflows/matrix.yml");
  const runOnce = async (workflow: typeof twenty, maxParallelJobs?: number, onStart?: (job: JobState) => void) => {
    const options = { workflow, event, repoDir: dir, dataDir: join(dir, "data"), maxParallelJobs, listener: { jobStarted: onStart } };
    const run = await createRunRecord(store, options);
    const start = performance.now();
    const { result } = await executeRecordedRun(store, run, options);
    if (result.conclusion !== "success") throw new Error(`bench run concluded ${result.conclusion}`);
    return performance.now() - start;
  };

  await runOnce(twenty, 1); // warm-up
  const sequential: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    baseline.push(baselineMs(dir, jobCount));
    sequential.push(await runOnce(twenty, 1));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const engineMs = median(sequential);
  const shellMs = median(baseline);
  const overheadPerJob = (engineMs - shellMs) / jobCount;
  const parallelMs = await runOnce(twenty);

  let firstStart = 0;
  let lastStart = 0;
  let started = 0;
  const matrixStart = performance.now();
  const matrixMs = await runOnce(matrix, undefined, () => {
    const now = performance.now() - matrixStart;
    if (started === 0) firstStart = now;
    lastStart = now;
    started++;
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const figures = [
    ["20 jobs, sequential: engine (median of 3)", `${engineMs.toFixed(0)} ms`],
    ["20 jobs: plain shell script, same commands (median of 3)", `${shellMs.toFixed(0)} ms`],
    ["ratio engine / shell", `${(engineMs / shellMs).toFixed(2)}×`],
    ["overhead per job (target ≤ 30 ms)", `${overheadPerJob.toFixed(1)} ms`],
    ["20 jobs, parallel (CPU count)", `${parallelMs.toFixed(0)} ms`],
    ["256-job matrix: first job started", `${firstStart.toFixed(0)} ms`],
    [`256-job matrix: all ${started} jobs dispatched (target < 5 s)`, `${lastStart.toFixed(0)} ms`],
    ["256-job matrix: run complete", `${matrixMs.toFixed(0)} ms`],
  ];
  for (const [name, value] of figures) console.log(`${name.padEnd(62)} ${value}`);
  if (process.argv.includes("--record")) recordResults("workflow-overhead", figures);
  else console.log(`\n(${machineDescription()}; pass --record to append to bench/RESULTS.md)`);
}

await main();
