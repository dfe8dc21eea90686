/** runScriptStep end to end with real shells: outcomes, file commands, masking, 100 MB of output, timeouts, cancel. */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { SlipwayError } from "../../../src/core/errors";
import type { Annotation, LogSink } from "../../../src/workflow/executors/host/log-processor";
import { runScriptStep, type ScriptStepSpec } from "../../../src/workflow/executors/host/run-script";
import { SecretMasker } from "../../../src/workflow/executors/host/secret-masker";
import { RecordingSink, baseEnv, isRunning, killAll, makeTempDir, waitForPids } from "./support";

let work: { dir: string; remove(): Promise<void> };
let runnerTemp: { dir: string; remove(): Promise<void> };
const started: number[] = [];

beforeAll(async () => {
  work = await makeTempDir("slipway-work-");
  runnerTemp = await makeTempDir("slipway-runner-temp-");
});
afterAll(async () => {
  killAll(started);
  await work.remove();
  await runnerTemp.remove();
});

function step(script: string, extra: Partial<ScriptStepSpec> = {}): ScriptStepSpec & { sink: RecordingSink } {
  return {
    script,
    workingDirectory: work.dir,
    env: baseEnv(),
    tempDir: runnerTemp.dir,
    masker: new SecretMasker(),
    sink: new RecordingSink(),
    ...extra,
  } as ScriptStepSpec & { sink: RecordingSink };
}

describe("runScriptStep", () => {
  test("success: output lines, no error line, files collected", async () => {
    const spec = step('echo "hello from $(basename "$PWD")"\necho "result=ok" >> "$GITHUB_OUTPUT"\necho "A=1" >> "$GITHUB_ENV"');
    const result = await runScriptStep(spec);
    expect(result.outcome).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    expect(result.succeeded).toBe(true);
    expect(spec.sink.lines).toEqual([`hello from ${path.basename(work.dir)}`]);
    expect(result.files.outputs).toEqual({ result: "ok" });
    expect(result.files.env).toEqual({ A: "1" });
    expect(result.shellCommand).toMatch(/\/bash -e \{0\}$/);
  });

  test("the script and file-command files are removed afterwards", async () => {
    await runScriptStep(step("echo x >> \"$GITHUB_STEP_SUMMARY\""));
    expect(await readdir(runnerTemp.dir)).toEqual([]);
  });

  test.each([
    [undefined, "exit 3", 3],
    [undefined, "false | true", 0],
    ["bash", "false | true", 1],
    ["sh", "exit 42", 42],
    ["python", "import sys; sys.exit(9)", 9],
    ["node", "process.exit(12)", 12],
  ])("shell %j, script %j → exit code %i", async (shell, script, code) => {
    const spec = step(script, { shell });
    const result = await runScriptStep(spec);
    expect(result.outcome.exitCode).toBe(code);
    expect(result.succeeded).toBe(code === 0);
    const errorLines = spec.sink.lines.filter((line) => line.startsWith("##[error]"));
    expect(errorLines).toEqual(code === 0 ? [] : [`##[error]Process completed with exit code ${code}.`]);
  });

  test("a shell killed by a signal reports 128 + the signal number", async () => {
    const spec = step("kill -KILL $$");
    const result = await runScriptStep(spec);
    expect(result.outcome.signal).toBe("SIGKILL");
    expect(spec.sink.lines).toContain("##[error]Process completed with exit code 137.");
  });

  test("secrets are masked in output, including ones added with ::add-mask::, in base64 and URL form", async () => {
    const masker = new SecretMasker();
    masker.add("tok/en+1");
    masker.add("first-line\nsecond-line");
    const spec = step(
      [
        'echo "plain tok/en+1"',
        'echo "url tok%2Fen%2B1"',
        'echo "b64 $(printf %s "tok/en+1" | base64)"',
        'echo "::add-mask::runtime-value"',
        'echo "later runtime-value" >&2',
        'echo "one line of a multi-line secret: second-line"',
      ].join("\n"),
      { masker },
    );
    await runScriptStep(spec);
    // stdout and stderr are separate pipes: their relative order is not fixed.
    expect([...spec.sink.lines].sort()).toEqual(["b64 ***", "later ***", "one line of a multi-line secret: ***", "plain ***", "url ***"]);
  });

  test("workflow commands produce annotations", async () => {
    const spec = step('echo "::warning file=a.ts,line=2::look here"\necho "::group::G"\necho in\necho "::endgroup::"');
    await runScriptStep(spec);
    expect(spec.sink.lines).toEqual(["##[warning]look here", "##[group]G", "in", "##[endgroup]"]);
    expect(spec.sink.annotations).toEqual([{ level: "warning", message: "look here", file: "a.ts", line: 2 }]);
  });

  test("a broken file command fails the step with the file and line", async () => {
    const spec = step('echo "ok=1" >> "$GITHUB_OUTPUT"\necho "body<<EOF" >> "$GITHUB_OUTPUT"\necho "A=1" >> "$GITHUB_ENV"');
    const result = await runScriptStep(spec);
    expect(result.outcome.exitCode).toBe(0);
    expect(result.succeeded).toBe(false);
    expect(result.fileCommandErrors[0].message).toContain("GITHUB_OUTPUT line 2");
    expect(result.files.env).toEqual({ A: "1" });
    expect(spec.sink.lines.some((line) => line.startsWith("##[error]GITHUB_OUTPUT line 2"))).toBe(true);
    expect(spec.sink.annotations[0].level).toBe("error");
  });

  test("a missing working directory is a clear error", async () => {
    const attempt = runScriptStep(step("true", { workingDirectory: path.join(work.dir, "nope") }));
    await expect(attempt).rejects.toBeInstanceOf(SlipwayError);
    await expect(attempt).rejects.toThrow("working-directory");
  });

  test("debug shows ::debug:: lines", async () => {
    const spec = step('echo "::debug::details"', { debug: true });
    await runScriptStep(spec);
    expect(spec.sink.lines).toContain("##[debug]details");
  });

  test("100 MB of output streams through with bounded memory", async () => {
    let bytes = 0;
    let lines = 0;
    const countingSink: LogSink = {
      line: (text: string) => {
        bytes += text.length;
        lines++;
      },
      annotation: (_annotation: Annotation) => undefined,
    };
    const masker = new SecretMasker();
    masker.add("not-in-the-output");
    const rssBefore = process.memoryUsage().rss;
    const result = await runScriptStep({
      ...step("head -c 100000000 /dev/zero | tr '\\0' 'a' | fold -w 100"),
      sink: countingSink,
      masker,
    });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.log(`100 MB step: rss grew ${Math.round(rssGrowth / 1048576)} MB in ${result.outcome.durationMs} ms`);
    expect(result.outcome.exitCode).toBe(0);
    expect(bytes).toBe(100_000_000);
    expect(lines).toBe(1_000_000);
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });

  test("a step that forks children and times out leaves none of them running", async () => {
    const pidFile = path.join(work.dir, "step-timeout.pids");
    const script = [
      `echo $$ >> ${pidFile}`,
      `sleep 1000 & echo $! >> ${pidFile}`,
      `setsid sleep 1000 & echo $! >> ${pidFile}`,
      `( setsid sleep 1000 >/dev/null 2>&1 & echo $! >> ${pidFile} )`,
      `bash -c 'sleep 1000 & echo $! >> ${pidFile}; sleep 1000' & echo $! >> ${pidFile}`,
      "echo forked",
      "sleep 1000",
    ].join("\n");
    const spec = step(script, { timeoutMs: 1500, killGraceMs: 2000 });
    const pending = runScriptStep(spec);
    const pids = await waitForPids(pidFile, 6);
    started.push(...pids);
    const result = await pending;
    expect(result.outcome.timedOut).toBe(true);
    expect(result.succeeded).toBe(false);
    expect(spec.sink.lines).toEqual(["forked", "##[error]The action has timed out."]);
    for (const pid of pids) expect({ pid, running: isRunning(pid) }).toEqual({ pid, running: false });
  });

  test("abort mid-run cancels the step and leaves no orphans", async () => {
    const pidFile = path.join(work.dir, "step-abort.pids");
    const controller = new AbortController();
    const script = `echo $$ >> ${pidFile}\nsetsid sleep 1000 & echo $! >> ${pidFile}\nsleep 1000 & echo $! >> ${pidFile}\nwait`;
    const spec = step(script, { signal: controller.signal, killGraceMs: 2000 });
    const pending = runScriptStep(spec);
    const pids = await waitForPids(pidFile, 3);
    started.push(...pids);
    controller.abort();
    const result = await pending;
    expect(result.outcome.cancelled).toBe(true);
    expect(spec.sink.lines).toEqual(["##[error]The operation was canceled."]);
    expect(pids.filter(isRunning)).toEqual([]);
  });
});
