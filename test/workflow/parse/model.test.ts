/** Valid workflows → the model: triggers, matrices, env levels, `if` normalisation, concurrency, outputs, defaults, calls. */

import { describe, expect, it } from "vitest";
import { Expression, type JobDefinition, type Workflow } from "../../../src/workflow/model";
import { parseWorkflowFile } from "../../../src/workflow/parse";

const file = ".github/workflows/ci.yml";

async function parse(content: string): Promise<Workflow> {
  const result = await parseWorkflowFile(file, content);
  expect(result.diagnostics).toEqual([]);
  if (result.workflow === undefined) throw new Error("expected a workflow");
  return result.workflow;
}

function withJob(job: string, top = "on: push"): string {
  return `${top}\njobs:\n  build:\n    runs-on: ubuntu-latest\n${job}    steps:\n      - run: echo hi\n`;
}

async function parseJob(job: string, top?: string): Promise<JobDefinition> {
  return (await parse(withJob(job, top))).jobs[0];
}

const expression = (source: string) => expect.objectContaining({ source });

describe("triggers", () => {
  it.each([
    ["on: push", { push: {}, other: [] }],
    ["on: [push, pull_request, release]", { push: {}, pullRequest: {}, other: ["release"] }],
    ["on:\n  push:\n  workflow_dispatch:", { push: {}, workflowDispatch: { inputs: {} }, other: [] }],
    [
      "on:\n  push:\n    branches: [main, 'release/**']\n    branches-ignore: wip\n    tags: ['v*']\n    tags-ignore: [v0*]\n    paths: [src/**]\n    paths-ignore: [docs/**]",
      {
        push: { branches: ["main", "release/**"], branchesIgnore: ["wip"], tags: ["v*"], tagsIgnore: ["v0*"], paths: ["src/**"], pathsIgnore: ["docs/**"] },
        other: [],
      },
    ],
    ["on:\n  pull_request:\n    types: [opened, closed]\n    branches: [main]", { pullRequest: { types: ["opened", "closed"], branches: ["main"] }, other: [] }],
    ["on:\n  schedule:\n    - cron: '0 3 * * 1-5'", { schedule: [{ cron: "0 3 * * 1-5", loc: { file, line: 3, column: 13 } }], other: [] }],
    ["on:\n  issues:\n  workflow_run:\n    workflows: [ci]", { other: ["issues", "workflow_run"] }],
  ])("%s", async (on, triggers) => {
    expect((await parse(withJob("", on))).on).toEqual(triggers);
  });

  it("maps workflow_dispatch inputs with their defaults (required false, type string)", async () => {
    const workflow = await parse(
      withJob(
        "",
        `on:
  workflow_dispatch:
    inputs:
      target: { type: choice, options: [dev, prod], default: dev, required: true, description: where }
      dry: { type: boolean, default: false }
      replicas: { type: number, default: 3 }
      note: { description: free text }
      env: { type: environment }`,
      ),
    );
    expect(workflow.on.workflowDispatch?.inputs).toEqual({
      target: { type: "choice", options: ["dev", "prod"], default: "dev", required: true, description: "where" },
      dry: { type: "boolean", default: false, required: false },
      replicas: { type: "number", default: 3, required: false },
      note: { type: "string", required: false, description: "free text" },
      env: { type: "environment", required: false },
    });
  });

  it("maps workflow_call inputs, outputs and secrets", async () => {
    const workflow = await parse(
      withJob(
        "    outputs:\n      image: ${{ steps.b.outputs.image }}\n",
        `on:
  workflow_call:
    inputs:
      service: { type: string, required: true }
    outputs:
      image:
        description: the image
        value: \${{ jobs.build.outputs.image }}
    secrets:
      token: { required: true }
      optional:`,
      ),
    );
    expect(workflow.on.workflowCall).toEqual({
      inputs: { service: { type: "string", required: true } },
      outputs: { image: { description: "the image", value: expression("jobs.build.outputs.image") } },
      secrets: { token: { required: true }, optional: { required: false } },
    });
  });
});

describe("workflow level", () => {
  it("defaults the name to the file path and maps env, defaults and run-name", async () => {
    const workflow = await parse(withJob("", "on: push\nrun-name: Run ${{ github.sha }}\nenv:\n  A: 1\n  B: ${{ github.ref }}\ndefaults:\n  run:\n    shell: bash\n    working-directory: app"));
    expect(workflow.name).toBe(file);
    expect(workflow.file).toBe(file);
    expect(workflow.runName).toEqual(expression("format('Run {0}', github.sha)"));
    expect(workflow.env).toEqual({ A: "1", B: expression("github.ref") }); // env values are strings, as GitHub reads them
    expect(workflow.defaults).toEqual({ shell: "bash", workingDirectory: "app" });
    expect(workflow.jobs[0].defaults).toEqual({});
  });

  it("keeps a workflow-level env written as one expression", async () => {
    const workflow = await parse(withJob("", "name: CI\non: push\nenv: ${{ fromJSON(vars.ENV) }}"));
    expect(workflow.name).toBe("CI");
    expect(workflow.env).toBeInstanceOf(Expression);
    expect(workflow.env).toEqual(expression("fromJSON(vars.ENV)"));
  });

  it.each([
    ["concurrency: deploy", { group: "deploy", cancelInProgress: false }],
    ["concurrency: ci-${{ github.ref }}", { group: expression("format('ci-{0}', github.ref)"), cancelInProgress: false }],
    ["concurrency:\n  group: g\n  cancel-in-progress: true", { group: "g", cancelInProgress: true }],
  ])("normalises %s", async (concurrency, expected) => {
    expect((await parse(withJob("", `on: push\n${concurrency}`))).concurrency).toEqual(expected);
  });
});

describe("jobs", () => {
  it("applies the defaults: if success(), timeout 360, continue-on-error false, empty env/outputs/needs", async () => {
    const job = await parseJob("");
    expect(job).toMatchObject({ id: "build", if: "success()", timeoutMinutes: 360, continueOnError: false, env: {}, outputs: {}, needs: [], defaults: {} });
    expect(job.loc).toEqual({ file, line: 3, column: 3 });
    expect(job.runsOn).toBe("ubuntu-latest");
    expect(job.strategy).toBeUndefined();
    expect(job.concurrency).toBeUndefined();
  });

  it.each([
    ["    if: github.ref == 'refs/heads/main'\n", "success() && (github.ref == 'refs/heads/main')"],
    ["    if: ${{ github.event_name == 'push' }}\n", "success() && (github.event_name == 'push')"],
    ["    if: always()\n", "always()"],
    ["    if: ${{ failure() || cancelled() }}\n", "failure() || cancelled()"],
    ["    if: \"!cancelled() && github.actor != 'bot'\"\n", "!cancelled() && github.actor != 'bot'"],
    ["    if: ''\n", "success()"],
  ])("normalises %j", async (condition, expected) => {
    expect((await parseJob(condition)).if).toBe(expected);
  });

  it("maps the job's fields", async () => {
    const job = await parseJob(`    name: Build \${{ matrix.node }}
    needs: []
    environment: { name: prod, url: 'https://example.test' }
    env:
      NODE: \${{ matrix.node }}
    outputs:
      version: \${{ steps.v.outputs.version }}
    timeout-minutes: 30
    continue-on-error: \${{ matrix.experimental }}
    concurrency:
      group: build
      cancel-in-progress: \${{ github.ref != 'refs/heads/main' }}
    defaults:
      run:
        shell: sh
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        node: [18, 20]
        include:
          - node: 22
            experimental: true
`);
    expect(job).toMatchObject({
      name: expression("format('Build {0}', matrix.node)"),
      environment: { name: "prod", url: "https://example.test" },
      env: { NODE: expression("matrix.node") },
      outputs: { version: expression("steps.v.outputs.version") },
      timeoutMinutes: 30,
      continueOnError: expression("matrix.experimental"),
      concurrency: { group: "build", cancelInProgress: expression("github.ref != 'refs/heads/main'") },
      defaults: { shell: "sh" },
      strategy: { failFast: false, maxParallel: 2, matrix: { node: [18, 20], include: [{ node: 22, experimental: true }] } },
    });
  });

  it("keeps a matrix written as an expression and defaults fail-fast to true", async () => {
    const job = await parseJob("    strategy:\n      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n");
    expect(job.strategy).toEqual({ failFast: true, matrix: expression("fromJSON(needs.plan.outputs.matrix)") });
  });

  it("orders jobs as declared, with needs as a string or a list", async () => {
    const workflow = await parse(`on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps: [{ run: echo test }]
  lint:
    runs-on: ubuntu-latest
    steps: [{ run: echo lint }]
  deploy:
    needs: [test, lint]
    runs-on: ubuntu-latest
    steps: [{ run: echo deploy }]
  notify:
    needs: deploy
    if: always()
    runs-on: ubuntu-latest
    steps: [{ run: echo notify }]
`);
    expect(workflow.jobs.map((job) => [job.id, job.needs])).toEqual([
      ["test", []],
      ["lint", []],
      ["deploy", ["test", "lint"]],
      ["notify", ["deploy"]],
    ]);
  });

  it("maps a local reusable workflow call", async () => {
    const workflow = await parse(`on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps: [{ run: echo build }]
  deploy:
    needs: build
    uses: ./.github/workflows/deploy.yml
    with:
      service: api
      tag: \${{ github.sha }}
    secrets:
      token: \${{ secrets.TOKEN }}
  release:
    uses: ./.github/workflows/release.yml
    secrets: inherit
`);
    const [, deploy, release] = workflow.jobs;
    expect(deploy.call).toEqual({ uses: "./.github/workflows/deploy.yml", with: { service: "api", tag: expression("github.sha") }, secrets: { token: expression("secrets.TOKEN") } });
    expect(deploy.steps).toEqual([]);
    expect(deploy.needs).toEqual(["build"]);
    expect(release.call).toEqual({ uses: "./.github/workflows/release.yml", with: {}, secrets: "inherit" });
  });
});

describe("steps", () => {
  it("maps every step field, with run expressions normalised to format()", async () => {
    const workflow = await parse(`on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - id: v
        name: Version \${{ matrix.node }}
        if: github.ref == 'refs/heads/main'
        run: echo "version=\${{ matrix.node }}" >> "$GITHUB_OUTPUT"
        shell: bash
        working-directory: app
        timeout-minutes: 5
        continue-on-error: true
        env:
          X: y
`);
    const job = workflow.jobs[0];
    const [checkout, version] = job.steps;
    expect(checkout).toEqual({
      index: 0,
      loc: { file, line: 6, column: 9 },
      if: "success()",
      uses: "actions/checkout@v4",
      with: { "fetch-depth": "0" },
      env: {},
      continueOnError: false,
    });
    expect(version).toEqual({
      index: 1,
      id: "v",
      loc: { file, line: 9, column: 9 },
      name: expression("format('Version {0}', matrix.node)"),
      if: "success() && (github.ref == 'refs/heads/main')",
      run: expression(`format('echo "version={0}" >> "$GITHUB_OUTPUT"', matrix.node)`),
      shell: "bash",
      workingDirectory: "app",
      timeoutMinutes: 5,
      continueOnError: true,
      with: {},
      env: { X: "y" },
    });
    expect(version.run).toBeInstanceOf(Expression);
    expect((version.run as Expression).loc).toEqual({ file, line: 12, column: 14 });
  });
});
