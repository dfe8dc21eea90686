/** buildShellInvocation: GitHub's shell table, fallbacks, custom templates and the script file, run for real. */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chmod, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { SlipwayError } from "../../../src/core/errors";
import { runProcess } from "../../../src/workflow/executors/host/process-tree";
import { buildShellInvocation, describeShell, findExecutable, splitArguments } from "../../../src/workflow/executors/host/shell";
import { baseEnv, makeTempDir } from "./support";

let temp: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir("slipway-shell-");
});
afterAll(async () => temp.remove());

async function runShell(shell: string | undefined, script: string, pathVariable?: string) {
  const invocation = await buildShellInvocation(shell, script, temp.dir, pathVariable);
  let stdout = "";
  let stderr = "";
  const outcome = await runProcess({
    command: invocation.command,
    args: invocation.args,
    cwd: temp.dir,
    env: baseEnv(pathVariable ? { PATH: pathVariable } : {}),
    onStdout: (chunk) => (stdout += chunk.toString()),
    onStderr: (chunk) => (stderr += chunk.toString()),
  });
  return { invocation, outcome, stdout, stderr };
}

/** A PATH directory holding only the named programs, linked to the real binaries (not to shims like pyenv's). */
async function pathWith(name: string, programs: Record<string, string>): Promise<string> {
  const dir = path.join(temp.dir, name);
  await mkdir(dir);
  for (const [program, target] of Object.entries(programs)) await symlink(target, path.join(dir, program));
  return dir;
}

async function installed(program: string): Promise<string> {
  const found = await findExecutable(program);
  if (!found) throw new Error(`${program} is not installed`);
  return found;
}

function realPython3(): string {
  return execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim();
}

describe("buildShellInvocation", () => {
  test("no shell: bash with `-e {0}` (no pipefail, like GitHub)", async () => {
    const run = await runShell(undefined, 'echo "bash=${BASH_VERSION:+yes}"\nfalse | true\necho after-pipe\nfalse\necho unreachable');
    expect(path.basename(run.invocation.command)).toBe("bash");
    expect(run.invocation.args).toEqual(["-e", run.invocation.scriptPath]);
    expect(run.invocation.displayCommand).toBe(`${run.invocation.command} -e {0}`);
    expect(run.stdout).toBe("bash=yes\nafter-pipe\n");
    expect(run.outcome.exitCode).toBe(1);
  });

  test("no shell falls back to sh -e when bash is missing", async () => {
    const onlySh = await pathWith("only-sh", { sh: await installed("sh") });
    const run = await runShell(undefined, "echo from-sh\nfalse\necho unreachable", onlySh);
    expect(run.invocation.command).toBe(path.join(onlySh, "sh"));
    expect(run.invocation.args).toEqual(["-e", run.invocation.scriptPath]);
    expect(run.stdout).toBe("from-sh\n");
    expect(run.outcome.exitCode).toBe(1);
  });

  test("bash: --noprofile --norc -eo pipefail", async () => {
    const run = await runShell("bash", "echo start\nfalse | true\necho unreachable");
    expect(run.invocation.args).toEqual(["--noprofile", "--norc", "-eo", "pipefail", run.invocation.scriptPath]);
    expect(run.stdout).toBe("start\n");
    expect(run.outcome.exitCode).toBe(1);
    expect(run.invocation.scriptPath.endsWith(".sh")).toBe(true);
  });

  test("sh: -e stops at the first failing command", async () => {
    const run = await runShell("sh", "echo one\nexit 4\necho two");
    expect(path.basename(run.invocation.command)).toBe("sh");
    expect(run.stdout).toBe("one\n");
    expect(run.outcome.exitCode).toBe(4);
  });

  test("python runs the script as a .py file", async () => {
    const run = await runShell("python", "import sys\nprint('py', sys.version_info[0])\nsys.exit(5)");
    expect(run.invocation.scriptPath.endsWith(".py")).toBe(true);
    expect(run.stdout).toBe("py 3\n");
    expect(run.outcome.exitCode).toBe(5);
  });

  test("python falls back to python3 when python is missing", async () => {
    const onlyPython3 = await pathWith("only-python3", { python3: realPython3() });
    const run = await runShell("python", "print('fallback')", onlyPython3);
    expect(run.invocation.command).toBe(path.join(onlyPython3, "python3"));
    expect(run.stdout).toBe("fallback\n");
  });

  test("node runs the script as a .js file", async () => {
    const run = await runShell("node", "console.log('node', typeof process.version); process.exitCode = 2;");
    expect(run.invocation.scriptPath.endsWith(".js")).toBe(true);
    expect(run.stdout).toBe("node string\n");
    expect(run.outcome.exitCode).toBe(2);
  });

  test("pwsh: -command \". '{0}'\" with GitHub's error preference wrapper", async () => {
    // A stand-in pwsh that prints its arguments, so the exact argv is checked with a real process.
    const dir = path.join(temp.dir, "fake-pwsh");
    await mkdir(dir);
    await writeFile(path.join(dir, "pwsh"), '#!/bin/sh\nfor a in "$@"; do echo "[$a]"; done\n');
    await chmod(path.join(dir, "pwsh"), 0o755);
    const run = await runShell("pwsh", "Write-Output hi", dir);
    expect(run.invocation.args).toEqual(["-command", `. '${run.invocation.scriptPath}'`]);
    expect(run.stdout).toBe(`[-command]\n[. '${run.invocation.scriptPath}']\n`);
    expect(run.invocation.scriptPath.endsWith(".ps1")).toBe(true);
    const content = await readFile(run.invocation.scriptPath, "utf8");
    expect(content.startsWith("$ErrorActionPreference = 'stop'\nWrite-Output hi\n")).toBe(true);
    expect(content).toContain("exit $LASTEXITCODE");
  });

  test("custom template: perl {0}", async () => {
    const run = await runShell("perl {0}", 'print "perl ", 1 + 1, "\\n"; exit 6;');
    expect(path.basename(run.invocation.command)).toBe("perl");
    expect(run.invocation.args).toEqual([run.invocation.scriptPath]);
    expect(path.extname(run.invocation.scriptPath)).toBe("");
    expect(run.stdout).toBe("perl 2\n");
    expect(run.outcome.exitCode).toBe(6);
  });

  test("custom template: bash -x {0} traces to stderr", async () => {
    const run = await runShell("bash -x {0}", "echo traced");
    expect(run.invocation.args).toEqual(["-x", run.invocation.scriptPath]);
    expect(run.invocation.scriptPath.endsWith(".sh")).toBe(true);
    expect(run.stdout).toBe("traced\n");
    expect(run.stderr).toContain("+ echo traced");
  });

  test("custom template with quoted arguments", async () => {
    const run = await runShell('bash -c "echo \\"[$0]\\"; source {0}" first', "echo sourced");
    expect(run.invocation.args).toEqual(["-c", `echo "[$0]"; source ${run.invocation.scriptPath}`, "first"]);
    expect(run.stdout).toBe("[first]\nsourced\n");
  });

  test("the script file is written verbatim with mode 0700", async () => {
    const invocation = await buildShellInvocation("bash", "echo 'ünïcödé'\n", temp.dir);
    expect((await stat(invocation.scriptPath)).mode & 0o777).toBe(0o700);
    expect(await readFile(invocation.scriptPath, "utf8")).toBe("echo 'ünïcödé'\n");
  });

  test.each([
    ["fish", "not a known shell"],
    ["perl -e", "no {0} placeholder"],
    ["cmd", "only available on Windows"],
    ["powershell", "only available on Windows"],
    ["no-such-program-slipway {0}", "was not found on PATH"],
  ])("shell %j is refused: %s", async (shell, message) => {
    const attempt = buildShellInvocation(shell, "echo", temp.dir);
    await expect(attempt).rejects.toBeInstanceOf(SlipwayError);
    await expect(attempt).rejects.toThrow(message);
  });

  test("pwsh that is not installed is refused clearly", async () => {
    const empty = path.join(temp.dir, "empty-path");
    await mkdir(empty);
    await expect(buildShellInvocation("pwsh", "echo", temp.dir, empty)).rejects.toThrow("'pwsh' was not found on PATH");
  });
});

describe("describeShell", () => {
  test.each([
    [undefined, "bash -e {0}"],
    ["bash", "bash --noprofile --norc -eo pipefail {0}"],
    ["sh", "sh -e {0}"],
    ["python", "python {0}"],
    ["node", "node {0}"],
    ["pwsh", "pwsh -command \". '{0}'\""],
    ["  perl   {0} ", "perl   {0}"],
  ])("%j → %j", (shell, display) => {
    expect(describeShell(shell)).toBe(display);
  });
});

describe("splitArguments", () => {
  test.each([
    ["-e {0}", ["-e", "{0}"]],
    ["  --noprofile   --norc -eo pipefail {0} ", ["--noprofile", "--norc", "-eo", "pipefail", "{0}"]],
    ['-command ". \'{0}\'"', ["-command", ". '{0}'"]],
    ['a "b c" d', ["a", "b c", "d"]],
    ['x""y ""', ["xy", ""]],
    ['say \\"hi\\"', ["say", '"hi"']],
    ["it's {0}", ["it's", "{0}"]],
    ["", []],
  ])("%j", (text, expected) => {
    expect(splitArguments(text)).toEqual(expected);
  });

  test("an unterminated quote is an error", () => {
    expect(() => splitArguments('a "b')).toThrow(SlipwayError);
  });
});
