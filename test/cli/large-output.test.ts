/**
 * A step printing 100 MB through `slipway run`: every byte reaches `slipway logs`, and the slipway
 * process's peak RSS grows by far less than the output (it streams, it does not buffer).
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cliEnv, makeRepo, parseJson, slipwayBin, startSlipway, workflowPath, type TempRepo } from "../support/cli";

const lines = 1_000_000;
const width = 100;
const big = `on: workflow_dispatch
jobs:
  big:
    runs-on: ubuntu-latest
    steps:
      - name: Print 100 MB
        run: head -c ${lines * width} /dev/zero | tr '\\0' 'a' | fold -w ${width}
`;
const small = `on: workflow_dispatch
jobs:
  small:
    runs-on: ubuntu-latest
    steps:
      - name: Print a line
        run: echo hello
`;

interface Measured {
  code: number | null;
  stdout: string;
  /** Peak resident set size of the slipway process, in KiB. */
  peakKib: number;
}

const timeBinary = "/usr/bin/time";

/** Runs slipway and measures its peak RSS: GNU time's rusage when it exists, else VmHWM polled from /proc until exit. */
async function runMeasured(args: string[], cwd: string): Promise<Measured> {
  if (existsSync(timeBinary)) {
    const dir = await mkdtemp(join(tmpdir(), "slipway-time-"));
    try {
      const report = join(dir, "time.txt");
      const child = spawn(timeBinary, ["-v", "-o", report, process.execPath, slipwayBin, ...args], { cwd, env: cliEnv(), stdio: ["ignore", "pipe", "ignore"] });
      const { code, stdout } = await collect(child);
      const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(await readFile(report, "utf8"));
      if (!match) throw new Error(`no peak RSS in ${timeBinary}'s report`);
      return { code, stdout, peakKib: Number(match[1]) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const child = startSlipway(args, cwd);
  let peakKib = 0;
  const poll = setInterval(() => {
    void readFile(`/proc/${child.pid}/status`, "utf8")
      .then((status) => (peakKib = Math.max(peakKib, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))))
      .catch(() => undefined);
  }, 20);
  try {
    const { code, stdout } = await collect(child);
    return { code, stdout, peakKib };
  } finally {
    clearInterval(poll);
  }
}

function collect(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string }> {
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout }));
  });
}

/** Streams `slipway logs` and counts, without holding 100 MB: lines of exactly `width` 'a's, and stray bytes of 'a' lines that are not. */
async function countLogLines(runId: number, cwd: string): Promise<{ code: number | null; full: number; other: number; bytes: number }> {
  const child = startSlipway(["logs", String(runId), "--step", "1"], cwd);
  const expected = "a".repeat(width);
  let full = 0;
  let other = 0;
  let bytes = 0;
  let carry = "";
  child.stdout?.setEncoding("latin1").on("data", (chunk: string) => {
    bytes += chunk.length;
    const parts = (carry + chunk).split("\n");
    carry = parts.pop() ?? "";
    for (const line of parts) {
      if (line === expected) full++;
      else if (/^a+$/.test(line)) other++;
    }
  });
  child.stderr?.resume();
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (carry === expected) full++;
  else if (/^a+$/.test(carry)) other++;
  return { code, full, other, bytes };
}

let repo: TempRepo;

beforeAll(async () => {
  assertBuilt();
  repo = await makeRepo({ [workflowPath("big.yml")]: big, [workflowPath("small.yml")]: small });
});
afterAll(async () => {
  await repo?.remove();
});

describe("a step printing 100 MB", () => {
  it("succeeds, keeps every line, and grows slipway's peak RSS by less than 100 MB", async () => {
    const baseline = await runMeasured(["run", "--workflow", "small.yml", "--json"], repo.dir);
    expect(baseline.code).toBe(0);
    const started = Date.now();
    const measured = await runMeasured(["run", "--workflow", "big.yml", "--json"], repo.dir);
    const runMs = Date.now() - started;
    expect(measured.code).toBe(0);
    const run = parseJson<{ runId: number; conclusion: string }>({ code: measured.code, signal: null, stdout: measured.stdout, stderr: "" });
    expect(run.conclusion).toBe("success");
    const growthMib = (measured.peakKib - baseline.peakKib) / 1024;
    console.log(`100 MB step: run ${(runMs / 1000).toFixed(1)} s; peak RSS ${Math.round(baseline.peakKib / 1024)} MiB baseline, ${Math.round(measured.peakKib / 1024)} MiB with 100 MB of output (+${growthMib.toFixed(1)} MiB)`);
    expect(growthMib).toBeLessThan(100);

    const counted = await countLogLines(run.runId, repo.dir);
    expect(counted.code).toBe(0);
    expect(counted.full).toBe(lines);
    expect(counted.other).toBe(0);
    // The step's bytes: 100,000,000 'a's plus a newline after each line; the rest is the job header and the "Run" group.
    expect(counted.bytes).toBeGreaterThanOrEqual(lines * (width + 1));
    expect(counted.bytes - lines * (width + 1)).toBeLessThan(1000);
  });
});
