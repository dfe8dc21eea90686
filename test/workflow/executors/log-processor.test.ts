/** LogProcessor: line splitting across chunks, workflow commands, annotations, stop-commands, echo and masking. */

import { describe, expect, test } from "vitest";
import { LineSplitter, maxLineBytes } from "../../../src/workflow/executors/host/line-splitter";
import { LogProcessor } from "../../../src/workflow/executors/host/log-processor";
import { SecretMasker } from "../../../src/workflow/executors/host/secret-masker";
import { RecordingSink } from "./support";

function setup(options: { debug?: boolean; secrets?: string[] } = {}) {
  const masker = new SecretMasker();
  for (const secret of options.secrets ?? []) masker.add(secret);
  const sink = new RecordingSink();
  const logs = new LogProcessor(masker, sink, { debug: options.debug });
  const run = (text: string): string[] => {
    logs.write(text);
    logs.flush();
    return sink.lines;
  };
  return { masker, sink, logs, run };
}

describe("line splitting", () => {
  test("joins partial lines across chunks and handles CRLF", () => {
    const { logs, sink } = setup();
    logs.write("hel");
    logs.write(Buffer.from("lo\r\nwor"));
    expect(sink.lines).toEqual(["hello"]);
    logs.write("ld\n\n");
    expect(sink.lines).toEqual(["hello", "world", ""]);
  });

  test("flush emits a trailing partial line, and nothing when there is none", () => {
    const { logs, sink } = setup();
    logs.write("a\nno newline");
    logs.flush();
    logs.flush();
    expect(sink.lines).toEqual(["a", "no newline"]);
  });

  test("keeps stdout and stderr partial lines apart", () => {
    const { logs, sink } = setup();
    logs.write("out-", "stdout");
    logs.write("err line\n", "stderr");
    logs.write("line\n", "stdout");
    expect(sink.lines).toEqual(["err line", "out-line"]);
  });

  test("does not break a multi-byte character split across chunks", () => {
    const { logs, sink } = setup();
    const bytes = Buffer.from("naïve ✅\n");
    for (const byte of bytes) logs.write(Buffer.from([byte]));
    expect(sink.lines).toEqual(["naïve ✅"]);
  });

  test("splits lines longer than 64 KiB, on character boundaries", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const long = "é".repeat(maxLineBytes); // 2 bytes each
    for (let i = 0; i < long.length; i += 1000) splitter.write(long.slice(i, i + 1000));
    splitter.write("\n");
    expect(lines.join("")).toBe(long);
    expect(lines.length).toBe(2);
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(maxLineBytes);
  });

  test("splits a long line that arrives in one chunk", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 10);
    splitter.write("abcdefghijklmnopqrstuvwxyz\nshort\n");
    expect(lines).toEqual(["abcdefghij", "klmnopqrst", "uvwxyz", "short"]);
  });
});

describe("workflow commands", () => {
  test("add-mask hides the value from then on, and its own line is not printed", () => {
    const { run } = setup();
    expect(run("before s3cr3t\n::add-mask::s3cr3t\nafter s3cr3t\n")).toEqual(["before s3cr3t", "after ***"]);
  });

  test("add-mask of an empty value warns", () => {
    const { run } = setup();
    expect(run("::add-mask::\n")[0]).toMatch(/^##\[warning\]Can't add secret mask for empty string/);
  });

  test("group and endgroup", () => {
    const { run } = setup();
    expect(run("::group::Install deps\ninside\n::endgroup::\n")).toEqual(["##[group]Install deps", "inside", "##[endgroup]"]);
  });

  test("error with properties emits an annotation and an ##[error] line", () => {
    const { run, sink } = setup();
    expect(run("::error file=src/a.js,line=3,col=5,endLine=4,endColumn=9,title=Lint::Unexpected token\n")).toEqual([
      "##[error]Unexpected token",
    ]);
    expect(sink.annotations).toEqual([
      { level: "error", message: "Unexpected token", file: "src/a.js", line: 3, col: 5, endLine: 4, endColumn: 9, title: "Lint" },
    ]);
  });

  test("warning and notice; non-numeric positions are dropped", () => {
    const { run, sink } = setup();
    expect(run("::warning line=abc::careful\n::notice::fyi\n")).toEqual(["##[warning]careful", "##[notice]fyi"]);
    expect(sink.annotations).toEqual([
      { level: "warning", message: "careful" },
      { level: "notice", message: "fyi" },
    ]);
  });

  test("a multi-line error message prints each line", () => {
    const { run, sink } = setup();
    expect(run("::error::first%0Asecond\n")).toEqual(["##[error]first", "##[error]second"]);
    expect(sink.annotations[0].message).toBe("first\nsecond");
  });

  test("debug only with ACTIONS_STEP_DEBUG", () => {
    expect(setup().run("::debug::details\nvisible\n")).toEqual(["visible"]);
    expect(setup({ debug: true }).run("::debug::details\n")).toEqual(["##[debug]details", "::debug::details"]);
  });

  test("stop-commands turns processing off until the token comes back", () => {
    const { run, sink } = setup();
    const lines = run("::stop-commands::tok-42\n::error::not processed\n::add-mask::nope\n::tok-42::\n::error::processed\n");
    expect(lines).toEqual(["::error::not processed", "::add-mask::nope", "##[error]processed"]);
    expect(sink.annotations).toEqual([{ level: "error", message: "processed" }]);
  });

  test("stop-commands refuses an empty token or a command name", () => {
    const { run } = setup();
    const lines = run("::stop-commands::\n::stop-commands::error\n::warning::still on\n");
    expect(lines[0]).toMatch(/^##\[warning\]Invalid stop-commands token ''/);
    expect(lines[1]).toMatch(/^##\[warning\]Invalid stop-commands token 'error'/);
    expect(lines[2]).toBe("##[warning]still on");
  });

  test("echo on prints command lines (but never add-mask), echo off stops it", () => {
    const { run } = setup();
    const lines = run("::echo::on\n::group::g\n::add-mask::hidden-value\n::echo::off\n::endgroup::\n");
    expect(lines).toEqual(["::echo::on", "##[group]g", "::group::g", "##[endgroup]"]);
  });

  test("an invalid echo value warns", () => {
    expect(setup().run("::echo::maybe\n")[0]).toMatch(/^##\[warning\]Invalid echo command value 'maybe'/);
  });

  test.each(["set-output name=x::1", "set-env name=X::1", "add-path::/opt/bin", "save-state name=s::v"])(
    "deprecated ::%s is disabled with a warning",
    (command) => {
      const { run } = setup();
      const lines = run(`::${command}\n`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^##\[warning\]The `[a-z-]+` command is disabled\. Use environment files instead/);
    },
  );

  test("unknown commands, problem matchers and look-alikes", () => {
    const { run } = setup();
    expect(run("::unknown::x\n::add-matcher::m.json\nsee ::error::here\n")).toEqual(["::unknown::x", "see ::error::here"]);
  });

  test("command names are case-insensitive", () => {
    expect(setup().run("::ERROR::loud\n")).toEqual(["##[error]loud"]);
  });
});

describe("masking", () => {
  test("masks plain lines, command output and annotations", () => {
    const { run, sink } = setup({ secrets: ["pa55word"] });
    const lines = run("login pa55word\n::error file=pa55word.txt,title=pa55word::bad pa55word\n::group::pa55word\n");
    expect(lines).toEqual(["login ***", "##[error]bad ***", "##[group]***"]);
    expect(sink.annotations).toEqual([{ level: "error", message: "bad ***", file: "***.txt", title: "***" }]);
  });

  test("runner lines pass through the masker too", () => {
    const { logs, sink } = setup({ secrets: ["42"] });
    logs.emit("##[error]Process completed with exit code 42.");
    expect(sink.lines).toEqual(["##[error]Process completed with exit code ***."]);
  });

  test("a secret split across chunks is still masked, since masking is per line", () => {
    const { logs, sink } = setup({ secrets: ["abcdef"] });
    logs.write("xx abc");
    logs.write("def yy\n");
    expect(sink.lines).toEqual(["xx *** yy"]);
  });
});
