/**
 * bench/push-to-start: a real server (in-process, port 0) and 50 pushes with the real `git` CLI, each a new
 * commit on main whose workflow's first step is `echo start`. Measures from `git push` returning to that
 * step starting (the server's `step.started` event), against a baseline measured in the same run: the
 * same push to a bare repository on disk. Target: median under 200 ms.
 * Usage: node dist/bench/push-to-start.js [--record]   (--record appends the figures to bench/RESULTS.md)
 */

import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/server/up";
import { machineDescription, recordResults } from "./record";

const pushes = 50;
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@localhost", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@localhost" };

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}

/** Runs `git push` and resolves with the time it returned. */
function timedPush(cwd: string, remote: string): Promise<{ startedAt: number; returnedAt: number }> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    execFile("git", ["push", "-q", remote, "main"], { cwd, env }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`git push ${remote} failed: ${stderr}`));
      else resolve({ startedAt, returnedAt: performance.now() });
    });
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "slipway-bench-push-"));
  const server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined });
  try {
    const token = readFileSync(join(root, "data", "admin.token"), "utf8").trim();
    const created = await fetch(`${server.url}/api/v1/repos`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "bench/push" }) });
    if (created.status !== 201) throw new Error(`creating the repo: ${created.status} ${await created.text()}`);
    const remote = new URL(`${server.url}/git/bench/push.git`);
    remote.username = "bench";
    remote.password = token;
    const bare = join(root, "baseline.git");
    git(["init", "-q", "--bare", "-b", "main", bare], root);

    const work = join(root, "work");
    mkdirSync(join(work, ".slipway/workflows"), { recursive: true });
    git(["init", "-q", "-b", "main"], work);
    writeFileSync(join(work, ".slipway/workflows/ci.yml"), "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo start\n");

    // The run of each commit: run.created carries the sha, step.started the run id.
    const runShas = new Map<number, string>();
    const firstStep = new Map<string, number>();
    server.context.events.subscribe((event) => {
      if (event.type === "run.created") runShas.set(event.runId, event.sha);
      if (event.type === "step.started") {
        const sha = runShas.get(event.runId);
        if (sha && !firstStep.has(sha)) firstStep.set(sha, performance.now());
      }
    });
    const waitForStep = async (sha: string): Promise<number> => {
      const deadline = Date.now() + 30_000;
      while (!firstStep.has(sha)) {
        if (Date.now() > deadline) throw new Error(`no step started for ${sha}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return firstStep.get(sha)!;
    };

    const latencies: number[] = [];
    const endToEnd: number[] = [];
    const serverPushes: number[] = [];
    const diskPushes: number[] = [];
    for (let i = 0; i <= pushes; i++) {
      writeFileSync(join(work, "counter.txt"), `${i}\n`);
      git(["add", "-A"], work);
      git(["commit", "-qm", `chore: push ${i}`], work);
      const sha = git(["rev-parse", "HEAD"], work);
      const disk = await timedPush(work, bare);
      const push = await timedPush(work, remote.toString());
      const stepAt = await waitForStep(sha);
      await server.context.dispatcher.settled(server.context.dispatcher.runningRunIds());
      if (i === 0) continue; // warm-up: the first push creates main
      latencies.push(stepAt - push.returnedAt);
      endToEnd.push(stepAt - push.startedAt);
      serverPushes.push(push.returnedAt - push.startedAt);
      diskPushes.push(disk.returnedAt - disk.startedAt);
    }

    const median = percentile(latencies, 50);
    const baseline = percentile(diskPushes, 50);
    const figures = [
      [`git push returned → first step started, median of ${pushes} (target < 200 ms)`, `${median.toFixed(1)} ms`],
      ["git push returned → first step started, p90", `${percentile(latencies, 90).toFixed(1)} ms`],
      ["git push started → first step started, median", `${percentile(endToEnd, 50).toFixed(1)} ms`],
      ["git push to the server over HTTP, median", `${percentile(serverPushes, 50).toFixed(1)} ms`],
      ["baseline: git push to a bare repo on disk, median", `${baseline.toFixed(1)} ms`],
      ["ratio push-to-start / baseline push", `${(median / baseline).toFixed(2)}×`],
    ];
    for (const [name, value] of figures) console.log(`${name.padEnd(80)} ${value}`);
    if (process.argv.includes("--record")) recordResults("push-to-start", figures);
    else console.log(`\n(${machineDescription()}; pass --record to append to bench/RESULTS.md)`);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
