/** The log view's model: lines split across chunks, CRLF, ##[group]/::group:: folding, row ↔ line mapping, search. */

import { describe, expect, it } from "vitest";
import { LogModel } from "../../web/src/log-model";

function modelOf(...chunks: string[]): LogModel {
  const model = new LogModel();
  for (const chunk of chunks) model.append(chunk);
  return model;
}

const rows = (model: LogModel): string[] => Array.from({ length: model.rowCount() }, (_, row) => model.line(model.lineAtRow(row)));

describe("LogModel", () => {
  it("joins a line split across chunks and keeps a trailing partial line until finished", () => {
    const model = modelOf("one\ntw", "o\r\nthr", "ee");
    expect(model.lineCount).toBe(2);
    expect(model.totalLines).toBe(3);
    expect([model.line(0), model.line(1), model.line(2)]).toEqual(["one", "two", "three"]);
    model.finish();
    expect(model.lineCount).toBe(3);
    expect(model.line(2)).toBe("three");
  });

  it("folds groups by default and unfolds them, hiding the end marker", () => {
    const model = modelOf("start\n##[group]Run build\necho hi\n##[endgroup]\n::group::Tools\nnode\n::endgroup::\nend\n");
    expect(model.groups.map((g) => [g.title, g.start, g.end])).toEqual([["Run build", 1, 3], ["Tools", 4, 6]]);
    expect(rows(model)).toEqual(["start", "##[group]Run build", "::group::Tools", "end"]);
    model.toggle(model.groups[1]!);
    expect(rows(model)).toEqual(["start", "##[group]Run build", "::group::Tools", "node", "end"]);
    model.reveal(2);
    expect(rows(model)).toEqual(["start", "##[group]Run build", "echo hi", "::group::Tools", "node", "end"]);
    expect(model.rowOfLine(5)).toBe(4);
  });

  it("closes an unterminated group at the next one, and keeps an open last group folded to the end", () => {
    const model = modelOf("::group::A\na1\n::group::B\nb1\nb2\n");
    expect(model.groups.map((g) => [g.title, g.start, g.end])).toEqual([["A", 0, 1], ["B", 2, null]]);
    expect(rows(model)).toEqual(["::group::A", "::group::B"]);
  });

  it("finds every matching line, case-insensitively, once per line, across chunks", async () => {
    const model = modelOf("alpha\nBeta beta\n", "gamma\n", "beta again\n");
    expect(await model.search("BETA")).toEqual([1, 3]);
    expect(await model.search("a.b")).toEqual([]);
    expect(await model.search("")).toEqual([]);
  });

  it("indexes a large log without a string per line, and searches it within a limit", async () => {
    const model = new LogModel();
    const chunk = Array.from({ length: 1000 }, (_, i) => `line ${i} of the chunk`).join("\n") + "\n";
    for (let c = 0; c < 200; c += 1) model.append(chunk);
    expect(model.lineCount).toBe(200_000);
    expect(model.line(123_456)).toBe("line 456 of the chunk");
    expect(await model.search("line 456 ")).toHaveLength(200);
    expect(await model.search("chunk", 10)).toHaveLength(10);
  });
});
