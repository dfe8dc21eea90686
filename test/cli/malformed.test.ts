/** Malformed workflows through the CLI: located errors, exit 1, no stack trace, and `slipway run` records nothing. */

import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, makeRepo, parseJson, slipway, workflowPath, type TempRepo } from "../support/cli";

const fixture = (name: string): Promise<string> => readFile(new URL(`../fixtures/workflows/malformed/${name}`, import.meta.url), "utf8");

/** file:line:col: error: … lines, as `slipway lint` and `slipway run` print them. */
const expectedErrors = [
  `${workflowPath("many-problems.yml")}:4:13: error: cron '* * * *' has 4 fields`,
  `${workflowPath("many-problems.yml")}:8:12: error: job 'build' needs 'missing'`,
  `${workflowPath("many-problems.yml")}:9:22: error: invalid value 'soon' for jobs.build.timeout-minutes`,
  `${workflowPath("many-problems.yml")}:11:14: error: jobs.build.steps[0].run: invalid expression: The expression is not closed`,
  `${workflowPath("many-problems.yml")}:14:13: error: step id 'x' is already used`,
  `${workflowPath("yaml-syntax.yml")}:5:1: error: YAML syntax error`,
];
const expectedWarnings = [`${workflowPath("many-problems.yml")}:17:14: warning: job 'test' asks for runs-on 'windows-latest'`];

let repo: TempRepo;

beforeAll(async () => {
  assertBuilt();
  repo = await makeRepo({
    [workflowPath("many-problems.yml")]: await fixture("many-problems.yml"),
    [workflowPath("yaml-syntax.yml")]: await fixture("yaml-syntax.yml"),
  });
});
afterAll(async () => {
  await repo?.remove();
});

function locatedLines(text: string): string[] {
  return text.split("\n").filter((line) => /^\S+:\d+:\d+: (error|warning): /.test(line));
}

describe("slipway lint on malformed workflows", () => {
  it("prints every problem as file:line:col: severity: message and exits 1, without a stack trace", async () => {
    const result = await slipway(["lint"], repo.dir);
    expect(result.code).toBe(1);
    const lines = locatedLines(result.stdout);
    for (const expected of [...expectedErrors, ...expectedWarnings]) expect(lines.some((l) => l.startsWith(expected)), expected).toBe(true);
    expect(lines.filter((l) => l.includes(": error: "))).toHaveLength(expectedErrors.length);
    expect(result.stdout).toContain("6 errors, 2 warnings in 2 files");
    expect(result.stdout + result.stderr).not.toContain("    at ");
  });

  it("checks the paths it is given, and --json carries the same positions", async () => {
    const result = await slipway(["lint", "--json", workflowPath("yaml-syntax.yml")], repo.dir);
    expect(result.code).toBe(1);
    const report = parseJson<{ files: string[]; diagnostics: { file: string; line: number; column: number; severity: string }[] }>(result);
    expect(report.files).toEqual([workflowPath("yaml-syntax.yml")]);
    expect(report.diagnostics).toMatchObject([{ file: workflowPath("yaml-syntax.yml"), line: 5, column: 1, severity: "error" }]);
  });
});

describe("slipway run on malformed workflows", () => {
  it("exits non-zero with the same located errors and records no run", async () => {
    const result = await slipway(["run"], repo.dir);
    expect(result.code).not.toBe(0);
    const lines = locatedLines(result.stderr);
    for (const expected of expectedErrors) expect(lines.some((l) => l.startsWith(expected)), expected).toBe(true);
    expect(result.stderr).toContain("nothing was run");
    expect(result.stderr).not.toContain("    at ");
    const runs = await slipway(["runs", "--json"], repo.dir);
    expect(parseJson<unknown[]>(runs)).toEqual([]);
  });

  it("refuses a single malformed workflow named with --workflow", async () => {
    const result = await slipway(["run", "--workflow", "yaml-syntax.yml"], repo.dir);
    expect(result.code).not.toBe(0);
    expect(locatedLines(result.stderr)).toEqual([expect.stringContaining(`${workflowPath("yaml-syntax.yml")}:5:1: error: YAML syntax error`)]);
    expect(result.stderr).not.toContain("    at ");
  });
});
