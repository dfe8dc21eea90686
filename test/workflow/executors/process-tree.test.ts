/** runProcess and killProcessTree with real process trees: exit codes, timeouts, cancel, escaped descendants, SIGKILL. */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { SlipwayError } from "../../../src/core/errors";
import {
  killProcessTree,
  killProcessesWithEnvironment,
  processTrackingVariable,
  runProcess,
  type ProcessSpec,
} from "../../../src/workflow/executors/host/process-tree";
import { baseEnv, isRunning, killAll, makeTempDir, waitForPids } from "./support";

let temp: { dir: string; remove(): Promise<void> };
const started: number[] = [];

beforeAll(async () => {
  temp = await makeTempDir();
});
afterAll(async () => {
  killAll(started);
  await temp.remove();
});

function bash(script: string, extra: Partial<ProcessSpec> = {}): { spec: ProcessSpec; stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  const spec: ProcessSpec = {
    command: "bash",
    args: ["-c", script],
    cwd: temp.dir,
    env: baseEnv(),
    onStdout: (chunk) => (out += chunk.toString()),
    onStderr: (chunk) => (err += chunk.toString()),
    ...extra,
  };
  return { spec, stdout: () => out, stderr: () => err };
}

/** A script that starts sleepers in every way a step can: background, setsid, double fork, nested shells. */
function forkingScript(pidFile: string): string {
  return [
    `sleep 1000 & echo $! >> ${pidFile}`,
    `setsid sleep 1000 & echo $! >> ${pidFile}`,
    // Double fork: the subshell exits at once, so its sleeper is re-parented to init before any snapshot.
    `( setsid sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile} )`,
    `bash -c 'sleep 1000 & echo $! >> ${pidFile}; wait' & echo $! >> ${pidFile}`,
    `nohup sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile}`,
    "sleep 1000",
  ].join("\n");
}

describe("runProcess", () => {
  test("delivers stdout and stderr and reports exit code 0", async () => {
    const run = bash("echo out; echo err >&2");
    const outcome = await runProcess(run.spec);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null, timedOut: false, cancelled: false });
    expect(run.stdout()).toBe("out\n");
    expect(run.stderr()).toBe("err\n");
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  test("reports non-zero exit codes", async () => {
    for (const code of [1, 3, 255]) {
      expect((await runProcess(bash(`exit ${code}`).spec)).exitCode).toBe(code);
    }
  });

  test("reports the signal that ended the child", async () => {
    const outcome = await runProcess(bash("kill -USR1 $$").spec);
    expect(outcome).toMatchObject({ exitCode: null, signal: "SIGUSR1", timedOut: false });
  });

  test("passes env and cwd, with stdin closed", async () => {
    const run = bash('echo "$GREETING $(pwd)"; cat; echo "stdin done"', { env: baseEnv({ GREETING: "hello" }) });
    await runProcess(run.spec);
    expect(run.stdout()).toBe(`hello ${temp.dir}\nstdin done\n`);
  });

  test("starts the child in its own process group and session", async () => {
    const run = bash("ps -o pid=,pgid=,sid= -p $$");
    await runProcess(run.spec);
    const [pid, pgid, sid] = run.stdout().trim().split(/\s+/).map(Number);
    expect(pgid).toBe(pid);
    expect(sid).toBe(pid);
    expect(pgid).not.toBe(process.pid);
  });

  test("a command that cannot start is a SlipwayError", async () => {
    const spec = { ...bash("true").spec, command: "/nonexistent/slipway-no-such-shell" };
    await expect(runProcess(spec)).rejects.toBeInstanceOf(SlipwayError);
  });

  test("an already aborted signal starts nothing", async () => {
    const pidFile = path.join(temp.dir, "never.pids");
    const outcome = await runProcess(bash(`echo $$ > ${pidFile}`, { signal: AbortSignal.abort() }).spec);
    expect(outcome).toMatchObject({ cancelled: true, exitCode: null, timedOut: false });
    await expect(waitForPids(pidFile, 1, 300)).rejects.toThrow();
  });

  test("on timeout the whole tree is ended, including descendants that left the group", async () => {
    const pidFile = path.join(temp.dir, "timeout.pids");
    const run = bash(`echo $$ >> ${pidFile}\n${forkingScript(pidFile)}`, { timeoutMs: 1500, killGraceMs: 2000 });
    const pending = runProcess(run.spec);
    const pids = await waitForPids(pidFile, 7);
    started.push(...pids);
    expect(pids.every(isRunning)).toBe(true);
    const outcome = await pending;
    expect(outcome).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: "SIGTERM" });
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("abort mid-run cancels and leaves no orphans", async () => {
    const pidFile = path.join(temp.dir, "abort.pids");
    const controller = new AbortController();
    const run = bash(`echo $$ >> ${pidFile}\n${forkingScript(pidFile)}`, { signal: controller.signal, killGraceMs: 2000 });
    const pending = runProcess(run.spec);
    const pids = await waitForPids(pidFile, 7);
    started.push(...pids);
    controller.abort();
    const outcome = await pending;
    expect(outcome).toMatchObject({ cancelled: true, timedOut: false });
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("SIGKILL follows the grace period when the tree ignores SIGTERM", async () => {
    const pidFile = path.join(temp.dir, "trap.pids");
    const script = [
      "trap '' TERM",
      `echo $$ >> ${pidFile}`,
      `setsid bash -c 'trap "" TERM; echo $$ >> ${pidFile}; while :; do sleep 0.1; done' &`,
      "while :; do sleep 0.1; done",
    ].join("\n");
    const run = bash(script, { timeoutMs: 500, killGraceMs: 700 });
    const pending = runProcess(run.spec);
    const pids = await waitForPids(pidFile, 2);
    started.push(...pids);
    const outcome = await pending;
    expect(outcome).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1100);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("a trap that exits on SIGTERM ends within the grace period, without SIGKILL", async () => {
    const run = bash("trap 'echo stopping; exit 7' TERM; while :; do sleep 0.05; done", { timeoutMs: 300, killGraceMs: 5000 });
    const outcome = await runProcess(run.spec);
    expect(outcome).toMatchObject({ timedOut: true, exitCode: 7 });
    expect(outcome.durationMs).toBeLessThan(3000);
    expect(run.stdout()).toContain("stopping");
  });

  test("a background process that keeps stdout open is ended after the drain period", async () => {
    const pidFile = path.join(temp.dir, "drain.pids");
    const run = bash(`setsid sleep 1000 & echo $! >> ${pidFile}; echo main done`, { stdioDrainMs: 300, killGraceMs: 1000 });
    const outcome = await runProcess(run.spec);
    const pids = await waitForPids(pidFile, 1);
    started.push(...pids);
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    expect(run.stdout()).toBe("main done\n");
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("a background process with its own output keeps running after the step, like on GitHub", async () => {
    const pidFile = path.join(temp.dir, "survivor.pids");
    const env = baseEnv({ JOB_MARKER: `job-${process.pid}-${Date.now()}` });
    const run = bash(`sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile}`, { env, stdioDrainMs: 300 });
    const outcome = await runProcess(run.spec);
    const pids = await waitForPids(pidFile, 1);
    started.push(...pids);
    expect(outcome.exitCode).toBe(0);
    expect(pids.filter(isRunning)).toEqual(pids);
    // At the end of the job the runner cleans up by a marker in the environment.
    const killed = await killProcessesWithEnvironment("JOB_MARKER", env.JOB_MARKER, { graceMs: 1000 });
    expect(killed).toEqual(pids);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("streams large output without holding it", async () => {
    let bytes = 0;
    const outcome = await runProcess({
      ...bash("head -c 20000000 /dev/zero").spec,
      onStdout: (chunk) => (bytes += chunk.length),
    });
    expect(outcome.exitCode).toBe(0);
    expect(bytes).toBe(20_000_000);
  });

  test("a throwing output callback ends the tree and rejects", async () => {
    const run = bash("echo first; sleep 1000", { killGraceMs: 1000 });
    run.spec.onStdout = () => {
      throw new Error("sink is broken");
    };
    await expect(runProcess(run.spec)).rejects.toThrow("sink is broken");
  });
});

describe("killProcessTree", () => {
  test("ends a process started with a tracking marker, its children and their escaped descendants", async () => {
    const pidFile = path.join(temp.dir, "tree.pids");
    const env = baseEnv({ [processTrackingVariable]: randomUUID() });
    const child = spawn("bash", ["-c", `echo $$ >> ${pidFile}\n${forkingScript(pidFile)}`], { stdio: "ignore", detached: true, env });
    const pids = await waitForPids(pidFile, 7);
    started.push(...pids);
    expect(pids[0]).toBe(child.pid);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await killProcessTree(child.pid as number, { graceMs: 2000 });
    await exited;
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("without a marker it still ends the group and everything linked by ppid", async () => {
    const pidFile = path.join(temp.dir, "plain-tree.pids");
    const script = `echo $$ >> ${pidFile}; setsid sleep 1000 & echo $! >> ${pidFile}; sleep 1000 & echo $! >> ${pidFile}; wait`;
    const child = spawn("bash", ["-c", script], { stdio: "ignore", env: baseEnv() });
    const pids = await waitForPids(pidFile, 3);
    started.push(...pids);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await killProcessTree(child.pid as number, { graceMs: 2000 });
    await exited;
    expect(pids.filter(isRunning)).toEqual([]);
  });

  test("does nothing for a pid that does not exist", async () => {
    await expect(killProcessTree(2 ** 22 + 12345)).resolves.toBeUndefined();
  });
});
