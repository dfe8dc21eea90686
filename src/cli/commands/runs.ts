/** `slipway runs`: the recorded runs, newest first. */

import type { Command } from "commander";
import { openRunSource } from "../run-source";
import { action, printJson } from "../output";
import { formatDuration, renderTable, stateLabel, stateSymbol, styleFor } from "../render/style";
import { SlipwayError } from "../../core/errors";

interface RunsFlags {
  json?: boolean;
  limit: string;
  workflow?: string;
  repo?: string;
  data?: string;
}

export function registerRunsCommand(program: Command): void {
  // `runs show 3 --json`: the subcommand's own flags, not the list's.
  program.enablePositionalOptions();
  const runs = program
    .command("runs")
    .enablePositionalOptions()
    .description("list recorded workflow runs, newest first")
    .option("-n, --limit <n>", "how many runs", "20")
    .option("-W, --workflow <file>", "only runs of this workflow file")
    .option("--json", "print the runs as JSON")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "the data directory (default: .git/slipway)")
    .action(action(listRuns));
  registerRunShowCommand(runs);
}

/** `slipway runs show RUN`: one run with its jobs and steps (what `--json` consumers need). */
function registerRunShowCommand(runs: Command): void {
  runs
    .command("show")
    .description("show one run with its jobs and steps")
    .argument("<run>", "the run id")
    .option("--json", "print the run, its jobs and steps as JSON")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "the data directory (default: .git/slipway)")
    .action(action(showRun));
}

async function showRun(runArg: string, flags: { json?: boolean; repo?: string; data?: string }): Promise<number> {
  const runId = Number(runArg);
  if (!Number.isInteger(runId) || runId < 1) throw new SlipwayError("USAGE", `'${runArg}' is not a run id (a positive whole number).`);
  const source = await openRunSource(flags);
  try {
    const run = await source.getRun(runId);
    if (!run) throw new SlipwayError("RUN_NOT_FOUND", `There is no run ${runId}.`);
    if (flags.json) {
      printJson(run);
      return 0;
    }
    const style = styleFor(process.stdout);
    const took = (start: number | null, end: number | null) => style.dim(formatDuration(start && end ? end - start : undefined));
    process.stdout.write(`${stateSymbol(run.status, run.conclusion, style)} ${style.bold(`${run.workflowName} #${run.runNumber}`)} run ${run.id}: ${stateLabel(run.status, run.conclusion)} ${took(run.startedAt, run.completedAt)}\n`);
    process.stdout.write(`  ${run.event} ${run.ref} @ ${run.sha.slice(0, 7)} by ${run.actor}\n`);
    if (run.error) process.stdout.write(`  ${style.red(run.error)}\n`);
    for (const job of run.jobs) {
      process.stdout.write(`${stateSymbol(job.status, job.conclusion, style)} ${job.name} ${took(job.startedAt, job.completedAt)}${job.error ? style.dim(` ${job.error}`) : ""}\n`);
      for (const step of job.steps) process.stdout.write(`    ${stateSymbol(step.status, step.conclusion, style)} ${step.number}. ${step.name} ${took(step.startedAt, step.completedAt)}\n`);
    }
    return run.conclusion === "success" ? 0 : 1;
  } finally {
    await source.close();
  }
}

async function listRuns(flags: RunsFlags): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new SlipwayError("USAGE", "--limit expects a positive whole number.");
  const source = await openRunSource(flags);
  try {
    const runs = await source.listRuns({ limit, workflowFile: flags.workflow });
    if (flags.json) {
      printJson(runs);
      return 0;
    }
    if (runs.length === 0) {
      process.stdout.write("No runs yet. Start one with `slipway run`.\n");
      return 0;
    }
    const style = styleFor(process.stdout);
    const rows = runs.map((run) => [
      String(run.id),
      `${stateSymbol(run.status, run.conclusion, style)} ${stateLabel(run.status, run.conclusion)}`,
      `${run.workflowName} #${run.runNumber}`,
      run.event,
      run.ref.replace(/^refs\/heads\//, ""),
      run.sha.slice(0, 7),
      formatDuration(run.startedAt && run.completedAt ? run.completedAt - run.startedAt : undefined),
      new Date(run.createdAt).toISOString().replace("T", " ").slice(0, 19),
    ]);
    process.stdout.write(`${renderTable(["RUN", "STATE", "WORKFLOW", "EVENT", "REF", "SHA", "DURATION", "CREATED"], rows)}\n`);
    return 0;
  } finally {
    await source.close();
  }
}
