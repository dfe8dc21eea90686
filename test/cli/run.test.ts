/** `slipway run` through the built CLI: the --json shape, exit codes, --dry-run, --job, typed dispatch inputs and secret masking. */

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, lines, makeRepo, parseJson, slipway, workflowPath, type CliResult, type TempRepo } from "../support/cli";

interface StepJson {
  number: number;
  name: string;
  outcome: string | null;
  conclusion: string | null;
  outputs: Record<string, string>;
}
interface JobJson {
  id: string;
  key: string;
  matrix: Record<string, unknown>;
  conclusion: string | null;
  outputs: Record<string, string>;
  message?: string;
  durationMs: number;
  steps: StepJson[];
}
interface RunJson {
  runId: number;
  conclusion: string;
  durationMs: number;
  jobs: JobJson[];
}
interface PlannedJobJson {
  id: string;
  willRun: string;
  reason: string;
  matrix?: unknown[];
}
interface PlanJson {
  workflow: string;
  triggered: boolean;
  jobs: PlannedJobJson[];
}

const ci = `name: CI
on:
  push:
  workflow_dispatch:
    inputs:
      flag:
        type: boolean
        default: false
      count:
        type: number
        default: 1
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: \${{ steps.version.outputs.value }}
    steps:
      - id: version
        name: Compute version
        run: echo "value=1.2.3" >> "$GITHUB_OUTPUT"
      - name: Show inputs
        env:
          FLAG: \${{ inputs.flag && 'on' || 'off' }}
          COUNT: \${{ toJSON(inputs.count) }}
        run: echo "seen=flag=$FLAG count=$COUNT" >> "$GITHUB_OUTPUT"
  test:
    needs: build
    runs-on: ubuntu-latest
    strategy:
      matrix:
        node: [18, 20]
    steps:
      - run: echo "tested=node \${{ matrix.node }} with \${{ needs.build.outputs.version }}" >> "$GITHUB_OUTPUT"
  deploy:
    needs: test
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    steps:
      - run: echo deploying
`;

const failing = `name: Failing
on: workflow_dispatch
jobs:
  fine:
    runs-on: ubuntu-latest
    steps:
      - run: echo fine
  broken:
    runs-on: ubuntu-latest
    steps:
      - name: Exit 3
        run: exit 3
  after:
    needs: broken
    runs-on: ubuntu-latest
    steps:
      - run: echo never
`;

const secretValue = "s3cr3t-Value-42!";
const secretBase64 = Buffer.from(secretValue).toString("base64");
const secrets = `name: Secrets
on: workflow_dispatch
jobs:
  leak:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "plain: $TOKEN"
          echo "b64: $(printf %s "$TOKEN" | base64)"
        env:
          TOKEN: \${{ secrets.API_TOKEN }}
`;

const files = { [workflowPath("ci.yml")]: ci, [workflowPath("failing.yml")]: failing, [workflowPath("secrets.yml")]: secrets };
const repos: TempRepo[] = [];

/** Each test gets a repository of its own, so that they can run at once and count runs without seeing each other's. */
async function freshRepo(): Promise<{ repo: TempRepo; cli: (...args: string[]) => Promise<CliResult> }> {
  const repo = await makeRepo(files);
  repos.push(repo);
  return { repo, cli: (...args) => slipway(args, repo.dir) };
}
const runsIn = async (cli: (...args: string[]) => Promise<CliResult>): Promise<unknown[]> => parseJson<unknown[]>(await cli("runs", "--json"));
const byKey = (run: RunJson): Map<string, JobJson> => new Map(run.jobs.map((job) => [job.key, job]));

beforeAll(() => assertBuilt());
afterAll(async () => {
  await Promise.all(repos.map((repo) => repo.remove()));
});

describe.concurrent("slipway run --json", () => {
  it("prints the run with its jobs, matrix, outputs, steps and durations, and exits 0", async () => {
    const { cli } = await freshRepo();
    const result = await cli("run", "--json");
    expect(result.code, result.stderr).toBe(0);
    const run = parseJson<RunJson>(result);
    expect(run).toMatchObject({ runId: 1, conclusion: "success" });
    const jobs = byKey(run);
    expect([...jobs.keys()].sort()).toEqual(["build", "deploy", "test (18)", "test (20)"]);
    const build = jobs.get("build")!;
    expect(build).toMatchObject({ id: "build", matrix: {}, conclusion: "success", outputs: { version: "1.2.3" } });
    expect(build.durationMs).toBeGreaterThan(0);
    expect(build.steps).toEqual([
      { number: 1, name: "Compute version", outcome: "success", conclusion: "success", outputs: { value: "1.2.3" } },
      { number: 2, name: "Show inputs", outcome: "success", conclusion: "success", outputs: { seen: "flag=off count=null" } },
    ]);
    expect(jobs.get("test (20)")).toMatchObject({ id: "test", matrix: { node: 20 }, conclusion: "success", steps: [{ outputs: { tested: "node 20 with 1.2.3" } }] });
    expect(jobs.get("deploy")).toMatchObject({ conclusion: "skipped", steps: [] });
  });

  it("exits 1 when a job fails, and reports which", async () => {
    const { cli } = await freshRepo();
    const result = await cli("run", "--workflow", "failing.yml", "--json");
    expect(result.code).toBe(1);
    const run = parseJson<RunJson>(result);
    expect(run.conclusion).toBe("failure");
    const jobs = byKey(run);
    expect(jobs.get("fine")?.conclusion).toBe("success");
    expect(jobs.get("broken")).toMatchObject({ conclusion: "failure", steps: [{ name: "Exit 3", conclusion: "failure" }] });
    expect(jobs.get("after")?.conclusion).toBe("skipped");
  });
});

describe.concurrent("slipway run --dry-run", () => {
  it("lists the jobs that would run and the skipped ones with the reason, and runs nothing", async () => {
    const { cli } = await freshRepo();
    const [text, json] = await Promise.all([cli("run", "--dry-run"), cli("run", "--dry-run", "--json")]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/✓ build — the condition holds/);
    expect(text.stdout).toMatch(/✓ test \[2 matrix jobs\] needs build/);
    expect(text.stdout).toMatch(/– deploy needs test — the condition is false \(if: .*github\.event_name == 'workflow_dispatch'/);
    expect(text.stdout).toMatch(/– .*failing\.yml \(Failing\): not triggered/);
    const plans = parseJson<PlanJson[]>(json);
    const plan = plans.find((p) => p.workflow === workflowPath("ci.yml"))!;
    expect(plan.triggered).toBe(true);
    expect(plan.jobs.map((j) => [j.id, j.willRun])).toEqual([["build", "yes"], ["test", "yes"], ["deploy", "no"]]);
    expect(plan.jobs.find((j) => j.id === "test")?.matrix).toEqual([{ node: 18 }, { node: 20 }]);
    expect(plans.find((p) => p.workflow === workflowPath("failing.yml"))?.triggered).toBe(false);
    expect(await runsIn(cli)).toEqual([]);
  });

  it("with --job shows the job and everything it needs, transitively", async () => {
    const { cli } = await freshRepo();
    const [result, missing] = await Promise.all([
      cli("run", "--dry-run", "--json", "--event", "workflow_dispatch", "--workflow", "ci.yml", "--job", "deploy"),
      cli("run", "--dry-run", "--job", "nosuch"),
    ]);
    expect(parseJson<PlanJson[]>(result)[0]?.jobs.map((j) => [j.id, j.willRun])).toEqual([["build", "yes"], ["test", "yes"], ["deploy", "yes"]]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("No job 'nosuch'");
  });
});

describe.concurrent("slipway run --job", () => {
  it("runs only that job and the jobs it needs", async () => {
    const { cli } = await freshRepo();
    const result = await cli("run", "--json", "--job", "test");
    expect(result.code, result.stderr).toBe(0);
    expect([...byKey(parseJson<RunJson>(result)).keys()].sort()).toEqual(["build", "test (18)", "test (20)"]);
  });
});

describe.concurrent("slipway run --event workflow_dispatch --input", () => {
  it("passes typed inputs: a boolean is a boolean, a number is a number", async () => {
    const { cli } = await freshRepo();
    const dispatch = ["run", "--json", "--workflow", "ci.yml", "--event", "workflow_dispatch"];
    const [off, on] = await Promise.all([cli(...dispatch, "--input", "flag=false", "--input", "count=41"), cli(...dispatch, "--input", "flag=true")]);
    expect(off.code, off.stderr + off.stdout).toBe(0);
    const offRun = byKey(parseJson<RunJson>(off));
    expect(offRun.get("deploy")?.conclusion).toBe("success");
    expect(offRun.get("build")?.steps[1]?.outputs).toEqual({ seen: "flag=off count=41" });
    expect(byKey(parseJson<RunJson>(on)).get("build")?.steps[1]?.outputs).toEqual({ seen: "flag=on count=1" });
  });

  it("refuses a wrong boolean with a message naming the input, and runs nothing", async () => {
    const { cli } = await freshRepo();
    const dispatch = ["run", "--workflow", "ci.yml", "--event", "workflow_dispatch", "--input", "flag=maybe"];
    for (const result of await Promise.all([cli(...dispatch), cli(...dispatch, "--dry-run")])) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('input "flag": "maybe" is not a boolean');
      expect(result.stderr).not.toContain("    at ");
    }
    expect(await runsIn(cli)).toEqual([]);
  });
});

describe.concurrent("secrets in the environment", () => {
  it("reach a step only as masked secrets: SLIPWAY_SECRET_*, SLIPWAY_TOKEN and SLIPWAY_REGISTRY_TOKEN are not inherited", async () => {
    const repo = await makeRepo({
      [workflowPath("env.yml")]: `name: Env
on: workflow_dispatch
jobs:
  look:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "inherited: \${SLIPWAY_SECRET_API_TOKEN:-none} \${SLIPWAY_TOKEN:-none} \${SLIPWAY_REGISTRY_TOKEN:-none}"
          echo "as secret: $TOKEN"
        env:
          TOKEN: \${{ secrets.API_TOKEN }}
`,
    });
    repos.push(repo);
    const result = await slipway(["run", "--json", "--workflow", "env.yml"], repo.dir, { SLIPWAY_SECRET_API_TOKEN: secretValue, SLIPWAY_TOKEN: "server-token-1", SLIPWAY_REGISTRY_TOKEN: "registry-token-2" });
    expect(result.code, result.stderr).toBe(0);
    const logs = await slipway(["logs", String(parseJson<RunJson>(result).runId)], repo.dir);
    expect(lines(logs.stdout)).toContain("inherited: none none none");
    expect(lines(logs.stdout)).toContain("as secret: ***");
    expect(logs.stdout).not.toContain(secretValue);
  });
});

describe.concurrent("slipway run --secret-file", () => {
  it("masks the secret, and its base64 form, in the logs and in what is stored", async () => {
    const { repo, cli } = await freshRepo();
    const file = join(repo.dir, ".git", "test.secrets");
    await writeFile(file, `# test secrets\nAPI_TOKEN="${secretValue}"\n`);
    const result = await cli("run", "--json", "--workflow", "secrets.yml", "--secret-file", file);
    expect(result.code, result.stderr).toBe(0);
    const { runId } = parseJson<RunJson>(result);
    const logs = await cli("logs", String(runId));
    expect(lines(logs.stdout)).toContain("plain: ***");
    expect(lines(logs.stdout)).toContain("b64: ***");
    for (const output of [logs.stdout, result.stdout, result.stderr]) {
      expect(output).not.toContain(secretValue);
      expect(output).not.toContain(secretBase64);
    }
    const dataDir = join(repo.dir, ".git/slipway");
    for (const name of (await readdir(dataDir)).filter((n) => n.startsWith("slipway.db"))) {
      const bytes = await readFile(join(dataDir, name));
      expect(bytes.includes(secretValue), name).toBe(false);
      expect(bytes.includes(secretBase64), name).toBe(false);
    }
  });
});
