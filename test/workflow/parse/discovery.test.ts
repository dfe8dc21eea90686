/** Discovery (`loadWorkflows`), `lintPaths` for the lint command, its report, cycle finding and the editor schema. */

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintPaths, loadWorkflows, renderLintReport, workflowJsonSchema } from "../../../src/workflow/parse";
import { findCycles } from "../../../src/workflow/parse/check-needs";
import { knownKeyLists } from "../../../src/workflow/parse/json-schema";

const valid = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n";
const broken = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout: 3\n    steps:\n      - run: echo hi\n";
const warned = "on: push\njobs:\n  build:\n    runs-on: windows-latest\n    steps:\n      - run: echo hi\n";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "slipway-parse-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

describe("loadWorkflows", () => {
  it("reads .github/workflows/*.yml|yaml sorted, repo-relative, keeping only valid workflows", async () => {
    const root = await tree({
      ".github/workflows/b.yaml": valid,
      ".github/workflows/a.yml": broken,
      ".github/workflows/c.yml": warned,
      ".github/workflows/notes.txt": "not a workflow",
      ".github/workflows/nested/d.yml": valid,
    });
    const loaded = await loadWorkflows(root);
    expect(loaded.files).toEqual([".github/workflows/a.yml", ".github/workflows/b.yaml", ".github/workflows/c.yml"]);
    expect(loaded.workflows.map((w) => w.file)).toEqual([".github/workflows/b.yaml", ".github/workflows/c.yml"]);
    expect(loaded.diagnostics.map((d) => [d.file, d.line, d.column, d.severity, d.code])).toEqual([
      [".github/workflows/a.yml", 5, 5, "error", "unknown-key"],
      [".github/workflows/c.yml", 4, 14, "warning", "unsupported-runner"],
    ]);
  });

  it("prefers .slipway/workflows when it exists", async () => {
    const root = await tree({ ".slipway/workflows/ci.yml": valid, ".github/workflows/gh.yml": valid });
    expect((await loadWorkflows(root)).files).toEqual([".slipway/workflows/ci.yml"]);
  });

  it("finds nothing in a repository without workflows", async () => {
    expect(await loadWorkflows(await tree({ "README.md": "hi" }))).toEqual({ files: [], workflows: [], diagnostics: [] });
  });
});

describe("lintPaths", () => {
  it("without paths lints the workflows of the git toplevel, shown repo-relative", async () => {
    const root = await tree({ ".github/workflows/ci.yml": broken, "src/app/index.ts": "" });
    execFileSync("git", ["init", "-q"], { cwd: root });
    const result = await lintPaths([], path.join(root, "src/app"));
    expect(result.files).toEqual([".github/workflows/ci.yml"]);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual([".github/workflows/ci.yml:5:5"]);
  });

  it("without paths outside git uses the current directory", async () => {
    const root = await tree({ ".slipway/workflows/ci.yml": valid });
    expect(await lintPaths([], root)).toEqual({ files: [".slipway/workflows/ci.yml"], diagnostics: [] });
  });

  it("shows files as given: a file, a repository folder, a plain folder; a missing path is an error", async () => {
    const root = await tree({
      "one.yml": warned,
      "repo/.github/workflows/ci.yml": broken,
      "loose/x.yaml": valid,
      "loose/y.yml": broken,
    });
    const result = await lintPaths(["one.yml", "repo", "loose", "missing.yml", "./one.yml"], root);
    expect(result.files).toEqual(["./one.yml", "loose/x.yaml", "loose/y.yml", "one.yml", "repo/.github/workflows/ci.yml"]);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}`)).toEqual([
      "./one.yml:4:14: warning unsupported-runner",
      "loose/y.yml:5:5: error unknown-key",
      "missing.yml:1:1: error file-unreadable",
      "one.yml:4:14: warning unsupported-runner",
      "repo/.github/workflows/ci.yml:5:5: error unknown-key",
    ]);
  });
});

describe("renderLintReport", () => {
  it("prints each diagnostic as file:line:col: severity: message, then a summary", async () => {
    const root = await tree({ "a.yml": broken, "b.yml": warned, "c.yml": valid });
    const report = renderLintReport(await lintPaths(["a.yml", "b.yml", "c.yml"], root));
    expect(report.split("\n")).toEqual([
      "a.yml:5:5: error: unknown key 'timeout' in jobs.build",
      expect.stringMatching(/^b\.yml:4:14: warning: job 'build' asks for runs-on 'windows-latest'/),
      "1 error, 1 warning in 3 files",
      "",
    ]);
  });

  it("pluralises the summary", () => {
    expect(renderLintReport({ files: ["x.yml"], diagnostics: [] })).toBe("0 errors, 0 warnings in 1 file\n");
  });
});

describe("findCycles", () => {
  it.each([
    [["a", "b"], [], []],
    [["a", "b"], [["b", "a"]], []],
    [["a", "b"], [["a", "b"], ["b", "a"]], [["a", "b"]]],
    [["x", "y", "z"], [["z", "x"], ["x", "y"], ["y", "z"]], [["x", "y", "z"]]],
    [["a", "b", "c", "d"], [["a", "b"], ["b", "a"], ["c", "d"], ["d", "c"]], [["a", "b"], ["c", "d"]]],
  ])("jobs %j with needs %j → %j", (jobs, needs, cycles) => {
    expect(findCycles(jobs, needs.map(([job, need]) => ({ job, need })))).toEqual(cycles);
  });
});

describe("workflowJsonSchema", () => {
  it("is a draft-07 schema for on/jobs with job and step definitions", () => {
    expect(workflowJsonSchema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(workflowJsonSchema.required).toEqual(["on", "jobs"]);
    expect(JSON.parse(JSON.stringify(workflowJsonSchema))).toEqual(workflowJsonSchema);
    expect(knownKeyLists.job).toEqual(expect.arrayContaining(["runs-on", "needs", "strategy", "steps", "uses", "timeout-minutes"]));
    expect(knownKeyLists.step).toEqual(expect.arrayContaining(["run", "uses", "with", "shell", "working-directory"]));
  });

  it("references only definitions it has", () => {
    const text = JSON.stringify(workflowJsonSchema);
    const definitions = Object.keys(workflowJsonSchema.definitions as object);
    for (const [, name] of text.matchAll(/"#\/definitions\/([^"]+)"/g)) expect(definitions).toContain(name);
  });
});
