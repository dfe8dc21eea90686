/** GITHUB_ENV/OUTPUT/PATH/STEP_SUMMARY/STATE: parsing like GitHub's runner, and files written by real scripts. */

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { SlipwayError } from "../../../src/core/errors";
import { parseKeyValueFile, parsePathFile } from "../../../src/workflow/executors/host/env-file-parser";
import { createFileCommands, maxStepSummaryBytes } from "../../../src/workflow/executors/host/file-commands";
import { runProcess } from "../../../src/workflow/executors/host/process-tree";
import { baseEnv, makeTempDir } from "./support";

let temp: { dir: string; remove(): Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir("slipway-files-");
});
afterAll(async () => temp.remove());

const parse = (content: string) => parseKeyValueFile(content, { label: "GITHUB_OUTPUT" });

describe("parseKeyValueFile", () => {
  test.each([
    ["empty file", "", {}],
    ["name=value", "a=1\n", { a: "1" }],
    ["no final newline", "a=1", { a: "1" }],
    ["value keeps later '=' and spaces", "a= x = y \n", { a: " x = y " }],
    ["empty value", "a=\n", { a: "" }],
    ["later value wins", "a=1\na=2\n", { a: "2" }],
    ["blank lines skipped", "\n\na=1\n\n", { a: "1" }],
    ["CRLF lines", "a=1\r\nb=2\r\n", { a: "1", b: "2" }],
    ["BOM", "\uFEFFa=1\n", { a: "1" }],
    ["'=' before '<<' is name=value", "a=b<<EOF\n", { a: "b<<EOF" }],
    ["heredoc", "text<<EOF\nline 1\nline 2\nEOF\n", { text: "line 1\nline 2" }],
    ["heredoc, delimiter at end of file", "text<<EOF\nx\nEOF", { text: "x" }],
    ["heredoc empty value", "text<<EOF\nEOF\nb=2\n", { text: "", b: "2" }],
    ["heredoc keeps blank and '=' lines", "t<<END\n\nk=v\n\nEND\n", { t: "\nk=v\n" }],
    ["heredoc with CRLF", "t<<EOF\r\na\r\nb\r\nEOF\r\n", { t: "a\r\nb" }],
    ["heredoc, delimiter only when the whole line", "t<<EOF\nEOF2\n EOF\nEOF\n", { t: "EOF2\n EOF" }],
    ["random delimiter like @actions/core", "t<<ghadelimiter_1f2e\n{\"a\": 1}\nghadelimiter_1f2e\n", { t: '{"a": 1}' }],
    ["'<<' in the name side of a heredoc", "a<<b<<c\nv\nb<<c\n", { a: "v" }],
  ])("%s", (_name, content, expected) => {
    expect(parse(content)).toEqual(expected);
  });

  test.each([
    ["=value", "GITHUB_OUTPUT line 1: the name is empty"],
    ["a=1\njunk\n", "GITHUB_OUTPUT line 2: 'junk' is neither name=value nor name<<DELIMITER"],
    ["a=1\n\nbody<<EOF\nline\n", "GITHUB_OUTPUT line 3: the heredoc 'body<<EOF' is not terminated"],
    ["body<<EOF", "GITHUB_OUTPUT line 1: the heredoc 'body<<EOF' has no value lines"],
    ["body<<\nx\n", "GITHUB_OUTPUT line 1: the heredoc delimiter after 'body<<' is empty"],
    ["<<EOF\nx\nEOF\n", "GITHUB_OUTPUT line 1: the name is empty"],
  ])("refuses %j", (content, message) => {
    expect(() => parse(content)).toThrow(message);
    try {
      parseKeyValueFile(content, { label: "GITHUB_OUTPUT", filePath: "/tmp/out" });
    } catch (error) {
      expect(error).toBeInstanceOf(SlipwayError);
      expect((error as SlipwayError).code).toBe("ACTION_INVALID");
      expect((error as SlipwayError).details).toMatchObject({ file: "/tmp/out" });
    }
  });
});

describe("parsePathFile", () => {
  test("one entry a line, blank lines skipped, order kept", () => {
    expect(parsePathFile("/opt/a/bin\n\n/opt/b bin\r\n  \n/opt/c")).toEqual(["/opt/a/bin", "/opt/b bin", "/opt/c"]);
  });
});

describe("createFileCommands", () => {
  test("creates five fresh empty files per call", async () => {
    const first = await createFileCommands(temp.dir);
    const second = await createFileCommands(temp.dir);
    const names = ["GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"] as const;
    for (const name of names) {
      expect(first.paths[name]).not.toBe(second.paths[name]);
      expect(await readFile(first.paths[name], "utf8")).toBe("");
    }
    expect(await first.collect()).toEqual({ env: {}, outputs: {}, path: [], summary: "", state: {} });
  });

  test("collects what a real bash script writes, heredocs and multi-line values included", async () => {
    const files = await createFileCommands(temp.dir);
    const script = `
      echo "GREETING=hello world" >> "$GITHUB_ENV"
      echo "NODE_OPTIONS=--max-old-space-size=512" >> "$GITHUB_ENV"
      { echo "MULTI<<EOF"; printf 'line one\\nline two\\n'; echo "EOF"; } >> "$GITHUB_ENV"
      echo "result=42" >> "$GITHUB_OUTPUT"
      delimiter="ghadelimiter_$RANDOM$RANDOM"
      { echo "json<<$delimiter"; echo '{"a": [1, 2]}'; echo '  indented'; echo "$delimiter"; } >> "$GITHUB_OUTPUT"
      echo "/opt/tool/bin" >> "$GITHUB_PATH"
      echo "$HOME/.local/bin" >> "$GITHUB_PATH"
      echo "### Summary" >> "$GITHUB_STEP_SUMMARY"
      echo "- ok ✅" >> "$GITHUB_STEP_SUMMARY"
      echo "pid=123" >> "$GITHUB_STATE"
    `;
    const outcome = await runProcess({
      command: "bash",
      args: ["-e", "-c", script],
      cwd: temp.dir,
      env: baseEnv(files.paths),
      onStdout: () => undefined,
      onStderr: () => undefined,
    });
    expect(outcome.exitCode).toBe(0);
    expect(await files.collect()).toEqual({
      env: { GREETING: "hello world", NODE_OPTIONS: "--max-old-space-size=512", MULTI: "line one\nline two" },
      outputs: { result: "42", json: '{"a": [1, 2]}\n  indented' },
      path: ["/opt/tool/bin", `${baseEnv().HOME}/.local/bin`],
      summary: "### Summary\n- ok ✅\n",
      state: { pid: "123" },
    });
  });

  test("collects what a Node script writes the way @actions/core does", async () => {
    const files = await createFileCommands(temp.dir);
    const script = `
      const fs = require("node:fs");
      const crypto = require("node:crypto");
      const write = (file, name, value) => {
        const d = "ghadelimiter_" + crypto.randomUUID();
        fs.appendFileSync(process.env[file], name + "<<" + d + "\\n" + value + "\\n" + d + "\\n");
      };
      write("GITHUB_OUTPUT", "report", "a\\nb\\n\\nc");
      write("GITHUB_ENV", "EMPTY", "");
      write("GITHUB_STATE", "token", "x=y");
    `;
    await runProcess({
      command: "node",
      args: ["-e", script],
      cwd: temp.dir,
      env: baseEnv(files.paths),
      onStdout: () => undefined,
      onStderr: () => undefined,
    });
    const collected = await files.collect();
    expect(collected.outputs).toEqual({ report: "a\nb\n\nc" });
    expect(collected.env).toEqual({ EMPTY: "" });
    expect(collected.state).toEqual({ token: "x=y" });
  });

  test("an unterminated heredoc names the file and line; other files still apply", async () => {
    const files = await createFileCommands(temp.dir);
    await writeFile(files.paths.GITHUB_OUTPUT, "a=1\nb=2\nbody<<EOF\nno end\n");
    await writeFile(files.paths.GITHUB_ENV, "X=1\n");
    await expect(files.collect()).rejects.toThrow("GITHUB_OUTPUT line 3: the heredoc 'body<<EOF' is not terminated");
    const settled = await files.collectSettled();
    expect(settled.errors).toHaveLength(1);
    expect(settled.errors[0].details).toMatchObject({ file: files.paths.GITHUB_OUTPUT, line: 3 });
    expect(settled.files.env).toEqual({ X: "1" });
    expect(settled.files.outputs).toEqual({});
  });

  test("a step summary over 1 MiB is refused", async () => {
    const files = await createFileCommands(temp.dir);
    await writeFile(files.paths.GITHUB_STEP_SUMMARY, "x".repeat(maxStepSummaryBytes + 1));
    const settled = await files.collectSettled();
    expect(settled.errors[0].message).toContain("GITHUB_STEP_SUMMARY");
    expect(settled.files.summary).toBe("");
  });

  test("a file the step deleted counts as empty", async () => {
    const files = await createFileCommands(temp.dir);
    await runProcess({
      command: "bash",
      args: ["-c", 'rm "$GITHUB_OUTPUT"; echo "A=1" >> "$GITHUB_ENV"'],
      cwd: temp.dir,
      env: baseEnv(files.paths),
      onStdout: () => undefined,
      onStderr: () => undefined,
    });
    expect(await files.collect()).toMatchObject({ env: { A: "1" }, outputs: {} });
  });
});
