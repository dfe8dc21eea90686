/** parseWorkflowCommand and the percent-escaping of messages and properties, table-driven. */

import { describe, expect, test } from "vitest";
import {
  escapeCommandData,
  escapeCommandProperty,
  parseWorkflowCommand,
  unescapeCommandData,
  unescapeCommandProperty,
  type WorkflowCommand,
} from "../../../src/workflow/executors/host/workflow-commands";

const cases: [string, WorkflowCommand | undefined][] = [
  ["plain text", undefined],
  ["", undefined],
  [":: no command", undefined],
  ["::error", undefined],
  ["::::message", undefined],
  ["text ::error::not at the start", undefined],
  ["::error::boom", { command: "error", properties: {}, message: "boom" }],
  ["::warning::", { command: "warning", properties: {}, message: "" }],
  ["   ::notice::leading spaces are ignored", { command: "notice", properties: {}, message: "leading spaces are ignored" }],
  ["::group::Build step", { command: "group", properties: {}, message: "Build step" }],
  ["::endgroup::", { command: "endgroup", properties: {}, message: "" }],
  ["::add-mask::s3cr3t", { command: "add-mask", properties: {}, message: "s3cr3t" }],
  ["::debug::a::b::c", { command: "debug", properties: {}, message: "a::b::c" }],
  [
    "::error file=app.js,line=10,col=15::Missing semicolon",
    { command: "error", properties: { file: "app.js", line: "10", col: "15" }, message: "Missing semicolon" },
  ],
  [
    "::warning file=a.ts,line=1,endLine=3,col=2,endColumn=9,title=Heads up::msg",
    {
      command: "warning",
      properties: { file: "a.ts", line: "1", endLine: "3", col: "2", endColumn: "9", title: "Heads up" },
      message: "msg",
    },
  ],
  ["::error file=a.js::line1%0Aline2", { command: "error", properties: { file: "a.js" }, message: "line1\nline2" }],
  ["::error::cr%0Dlf%0A", { command: "error", properties: {}, message: "cr\rlf\n" }],
  ["::error::100%25 done", { command: "error", properties: {}, message: "100% done" }],
  ["::error::%250A stays literal", { command: "error", properties: {}, message: "%0A stays literal" }],
  ["::error::%3A%2C are not unescaped in messages", { command: "error", properties: {}, message: "%3A%2C are not unescaped in messages" }],
  [
    "::error title=a%3Ab%2Cc%25d%0Ae::m",
    { command: "error", properties: { title: "a:b,c%d\ne" }, message: "m" },
  ],
  ["::error file=a=b.js::m", { command: "error", properties: { file: "a=b.js" }, message: "m" }],
  ["::error file=,line=2,novalue,=x::m", { command: "error", properties: { line: "2" }, message: "m" }],
  ["::error   file=a.js ::m", { command: "error", properties: { file: "a.js" }, message: "m" }],
  ["::set-output name=result::42", { command: "set-output", properties: { name: "result" }, message: "42" }],
  ["::stop-commands::pause-token-123", { command: "stop-commands", properties: {}, message: "pause-token-123" }],
  ["::pause-token-123::", { command: "pause-token-123", properties: {}, message: "" }],
  ["::echo::on", { command: "echo", properties: {}, message: "on" }],
  ["::unknown-thing::x", { command: "unknown-thing", properties: {}, message: "x" }],
];

describe("parseWorkflowCommand", () => {
  test.each(cases)("%j", (line, expected) => {
    expect(parseWorkflowCommand(line)).toEqual(expected);
  });
});

describe("escaping", () => {
  test.each([
    ["plain", "plain"],
    ["50%", "50%25"],
    ["a\nb", "a%0Ab"],
    ["a\r\nb", "a%0D%0Ab"],
    ["%0A", "%250A"],
  ])("data %j ↔ %j", (raw, escaped) => {
    expect(escapeCommandData(raw)).toBe(escaped);
    expect(unescapeCommandData(escaped)).toBe(raw);
  });

  test.each([
    ["a:b", "a%3Ab"],
    ["a,b", "a%2Cb"],
    ["C:\\dir,x%\n", "C%3A\\dir%2Cx%25%0A"],
  ])("property %j ↔ %j", (raw, escaped) => {
    expect(escapeCommandProperty(raw)).toBe(escaped);
    expect(unescapeCommandProperty(escaped)).toBe(raw);
  });

  test("round trip through a command line", () => {
    const title = "Check: a, b & 100%";
    const message = "first\nsecond: 50%";
    const line = `::error title=${escapeCommandProperty(title)},file=x.ts::${escapeCommandData(message)}`;
    expect(parseWorkflowCommand(line)).toEqual({ command: "error", properties: { title, file: "x.ts" }, message });
  });
});
