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
  program
    .command("runs")
    .description("list recorded workflow runs, newest first")
    .option("-n, --limit <n>", "how many runs", "20")
    .option("-W, --workflow <file>", "only runs of this workflow file")
    .option("--json", "print the runs as JSON")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "the data directory (default: .git/slipway)")
    .action(action(listRuns));
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
