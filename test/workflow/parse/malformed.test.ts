/** Every malformed fixture reports exactly the diagnostics listed here: position, code, severity and message. */

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { Severity } from "../../../src/workflow/model";
import { parseWorkflowFile } from "../../../src/workflow/parse";

const fixtures = new URL("../../fixtures/workflows/malformed/", import.meta.url);

/** `line:col code severity? fragment` — severity defaults to error. */
type Expected = [position: string, code: string, fragment: string, severity?: Severity];

const errorCases: Record<string, Expected[]> = {
  "yaml-syntax": [["5:1", "yaml-syntax", "All mapping items must start at the same column"]],
  "yaml-nested-mapping": [["7:15", "yaml-syntax", "Nested mappings are not allowed"]],
  "empty-file": [["1:1", "empty-file", "holds no workflow"]],
  "unknown-top-level-key": [["2:1", "unknown-key", "unknown key 'permisions' at the top level of the workflow (did you mean 'permissions'?)"]],
  "unknown-job-key": [["5:5", "unknown-key", "unknown key 'timeout' in jobs.build"]],
  "unknown-step-key": [["7:9", "unknown-key", "'working_directory' in jobs.build.steps[0] (did you mean 'working-directory'?)"]],
  "duplicate-key": [["5:5", "duplicate-key", "key 'runs-on' is already defined in jobs.build"]],
  "step-run-and-uses": [["7:9", "step-run-and-uses", "jobs.build.steps[0] has both `run` and `uses`"]],
  "step-without-run-or-uses": [["6:9", "missing-key", "jobs.build.steps[0]: a step needs `run:`"]],
  "bad-if-expression": [["5:9", "expression", "jobs.build.if: invalid expression: Unexpected end of expression: '&&'"]],
  "bad-if-context": [["7:13", "expression", "Unrecognized named-value: 'nosuchcontext'"]],
  "bad-run-expression": [["6:19", "expression", "jobs.build.steps[0].run: invalid expression: Unexpected symbol"]],
  "unclosed-expression": [["6:14", "expression", "The expression is not closed"]],
  "needs-cycle": [["8:16", "needs-cycle", "jobs need each other in a cycle: b -> d -> c -> b"]],
  "needs-missing-job": [["8:20", "needs-unknown", "job 'deploy' needs 'tset', which is not a job in this workflow"]],
  "needs-self": [["4:12", "needs-self", "job 'build' lists itself in needs"]],
  "cron-out-of-range": [["3:13", "cron", "invalid cron '61 * * * *'"]],
  "cron-too-few-fields": [["3:13", "cron", "cron '0 3 *' has 3 fields; a schedule takes 5"]],
  "input-unknown-type": [["5:15", "input-type", "unknown input type 'integer' for on.workflow_dispatch.inputs.count"]],
  "input-choice-default": [["7:18", "input-default", "default 'production' is not one of its options (dev, staging, prod)"]],
  "input-choice-without-options": [["5:9", "input-options", "needs a non-empty `options:` list"]],
  "input-boolean-default": [["6:18", "input-default", "default 'yes' is not a boolean"]],
  "duplicate-step-id": [["8:13", "duplicate-step-id", "step id 'Version' is already used by jobs.build.steps[0]"]],
  "no-jobs": [["2:7", "no-jobs", "the workflow has no jobs"]],
  "invalid-job-id": [["3:3", "invalid-id", "The identifier '1build' is invalid"]],
  "input-options-not-choice": [["4:10", "input-options", "has `options:` but its type is 'string', not 'choice'"]],
  "job-without-steps": [["3:3", "no-steps", "job 'build' has no steps"]],
  "runs-on-missing": [["4:5", "missing-key", "jobs.build is missing the required key 'runs-on'"]],
  "matrix-wrong-type": [["6:15", "schema", "jobs.test.strategy.matrix: a sequence is not allowed here"]],
  "timeout-minutes-string": [["5:22", "schema", "invalid value 'ten' for jobs.build.timeout-minutes: expected a number"]],
  "on-missing": [["1:1", "missing-key", "the workflow is missing the required key 'on'"]],
  "unknown-event": [["3:3", "unknown-event", "unknown event 'pull-request'"]],
  "many-problems": [
    ["4:13", "cron", "has 4 fields"],
    ["8:12", "needs-unknown", "needs 'missing'"],
    ["9:22", "schema", "invalid value 'soon'"],
    ["11:14", "expression", "The expression is not closed"],
    ["14:13", "duplicate-step-id", "step id 'x'"],
    ["17:14", "unsupported-runner", "windows-latest", "warning"],
    ["19:15", "remote-action", "someone/lint-action@v1", "warning"],
  ],
};

const warningCases: Record<string, Expected[]> = {
  "warn-windows-runner": [
    ["4:14", "unsupported-runner", "runs-on 'windows-latest', which is not Linux", "warning"],
    ["8:14", "unsupported-runner", "runs-on 'macos-14'", "warning"],
  ],
  "warn-remote-action": [["7:15", "remote-action", "vendor it: copy its files into the repository (e.g. .github/actions/setup-node) and write `uses: ./.github/actions/setup-node`", "warning"]],
  "warn-containers": [
    ["5:5", "unsupported-container", "`container:`", "warning"],
    ["6:5", "unsupported-container", "`services:`", "warning"],
    ["10:15", "docker-action", "docker://alpine:3.20", "warning"],
  ],
  "warn-remote-reusable-workflow": [["6:11", "remote-reusable-workflow", "write `uses: ./.github/workflows/deploy.yml`", "warning"]],
  "warn-cron-interval": [["3:13", "cron-interval", "runs every 2 minutes", "warning"]],
};

async function lintFixture(name: string) {
  const file = `${name}.yml`;
  return parseWorkflowFile(file, await readFile(new URL(file, fixtures), "utf8"));
}

function actual(diagnostics: { line: number; column: number; code: string; severity: Severity; message: string }[]) {
  return diagnostics.map((d) => ({ position: `${d.line}:${d.column}`, code: d.code, severity: d.severity, message: d.message }));
}

function expected(rows: Expected[]) {
  return rows.map(([position, code, fragment, severity]) => ({
    position,
    code,
    severity: severity ?? "error",
    message: expect.stringContaining(fragment),
  }));
}

describe("malformed workflows report every problem, and only those", () => {
  it.each(Object.entries(errorCases))("%s", async (name, rows) => {
    const result = await lintFixture(name);
    expect(actual(result.diagnostics)).toEqual(expected(rows));
    expect(result.workflow).toBeUndefined();
    for (const d of result.diagnostics) expect(d.file).toBe(`${name}.yml`);
  });
});

describe("valid workflows with features slipway cannot honour warn and still parse", () => {
  it.each(Object.entries(warningCases))("%s", async (name, rows) => {
    const result = await lintFixture(name);
    expect(actual(result.diagnostics)).toEqual(expected(rows));
    expect(result.workflow?.file).toBe(`${name}.yml`);
  });
});

it("has at least 22 malformed fixtures, each in the table", async () => {
  const { readdir } = await import("node:fs/promises");
  const names = (await readdir(fixtures)).map((file) => file.replace(/\.yml$/, ""));
  expect(Object.keys(errorCases).length).toBeGreaterThanOrEqual(22);
  expect([...Object.keys(errorCases), ...Object.keys(warningCases)].sort()).toEqual(names.sort());
});
