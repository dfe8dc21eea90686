/** Runs a corpus case through the built CLI (`slipway run --json`) and turns its JSON into observed workflows. */

import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { RunSummaryJson } from "../../../src/cli/render/run-summary";
import { slipway } from "../../support/cli";
import type { CaseRun, CorpusCase } from "./corpus-case";
import type { ObservedWorkflow } from "./observed-run";
import type { PreparedCase } from "./prepare-case";

/** Whether the CLI can send this run's event: it computes changed paths itself and runs one invocation at a time. */
export function cliCanRun(run: CaseRun): boolean {
  const rejected = Object.values(run.workflows).some((w) => w.rejected !== undefined);
  return run.event.changedPaths === undefined && run.event.schedule === undefined && !run.overlapPrevious && !rejected;
}

function cliArguments(corpusCase: CorpusCase, run: CaseRun, repoDir: string, dataDir: string, secretFile: string | undefined): string[] {
  const { event } = run;
  const args = ["run", "--json", "--repo", repoDir, "--data", dataDir, "--event", event.name, "--ref", event.ref ?? "refs/heads/main"];
  if (event.rev) args.push("--rev", event.rev);
  if (event.base) args.push("--base", event.base);
  if (event.action) args.push("--action", event.action);
  for (const [key, value] of Object.entries(event.inputs ?? {})) args.push("--input", `${key}=${value}`);
  for (const [key, value] of Object.entries(run.vars ?? {})) args.push("--var", `${key}=${value}`);
  if (secretFile) args.push("--secret-file", secretFile);
  args.push("--max-parallel", String(corpusCase.maxParallelJobs ?? 2));
  return args;
}

function observeSummary(summary: RunSummaryJson): ObservedWorkflow {
  return {
    triggered: true,
    conclusion: summary.conclusion,
    message: summary.message,
    jobs: summary.jobs.map((job) => ({
      key: job.key,
      conclusion: job.conclusion,
      outputs: job.outputs,
      environment: job.environment,
      message: job.message,
      steps: job.steps.map((s) => ({ name: s.name, outcome: s.outcome, conclusion: s.conclusion, outputs: s.outputs })),
    })),
  };
}

/** One CLI invocation for the run; workflows it did not run count as not triggered. */
export async function runWithCli(corpusCase: CorpusCase, prepared: PreparedCase, run: CaseRun, index: number): Promise<Map<string, ObservedWorkflow>> {
  const dataDir = join(prepared.repo.root, "cli-data");
  let secretFile: string | undefined;
  if (run.secrets) {
    secretFile = join(prepared.repo.root, `secrets-${index}.env`);
    await writeFile(secretFile, Object.entries(run.secrets).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n"));
  }
  const result = await slipway(cliArguments(corpusCase, run, prepared.repo.dir, dataDir, secretFile), prepared.repo.dir);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new Error(`slipway run exited ${result.code} without JSON:\n${result.stdout}\n${result.stderr}`);
  }
  const summaries = (Array.isArray(parsed) ? parsed : [parsed]) as RunSummaryJson[];
  const observed = new Map<string, ObservedWorkflow>();
  for (const workflow of prepared.workflows) observed.set(basename(workflow.file), { triggered: false, reason: "not run by the CLI" });
  for (const summary of summaries) observed.set(basename(summary.workflow), observeSummary(summary));
  return observed;
}
