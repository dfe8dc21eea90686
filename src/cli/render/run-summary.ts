/** The end of `slipway run`: a summary per run, or the documented JSON shape. */

import type { RecordedRun } from "../../workflow/recorded-run";
import { formatDuration, stateSymbol, styleFor } from "./style";

export interface RunSummaryJson {
  runId: number;
  runNumber: number;
  workflow: string;
  conclusion: string;
  message?: string;
  durationMs: number;
  jobs: {
    id: string;
    key: string;
    name: string;
    matrix: Record<string, unknown>;
    conclusion: string | null;
    outputs: Record<string, string>;
    environment?: { name: string; url?: string };
    message?: string;
    durationMs: number;
    steps: { number: number; name: string; outcome: string | null; conclusion: string | null; outputs: Record<string, string> }[];
  }[];
}

export function runSummaryJson({ run, result }: RecordedRun): RunSummaryJson {
  return {
    runId: run.id,
    runNumber: run.runNumber,
    workflow: run.workflowFile,
    conclusion: result.conclusion,
    ...(result.message ? { message: result.message } : {}),
    durationMs: result.durationMs,
    jobs: result.jobs.map((job) => ({
      id: job.jobId,
      key: job.key,
      name: job.name,
      matrix: job.matrix,
      conclusion: job.conclusion ?? null,
      outputs: job.outputs,
      ...(job.environment ? { environment: job.environment } : {}),
      ...(job.message ? { message: job.message } : {}),
      durationMs: job.startedAt && job.completedAt ? job.completedAt - job.startedAt : 0,
      steps: job.steps.map((s) => ({ number: s.number, name: s.name, outcome: s.outcome ?? null, conclusion: s.conclusion ?? null, outputs: s.outputs })),
    })),
  };
}

export function printRunSummary({ run, result }: RecordedRun): void {
  const style = styleFor(process.stderr);
  const counts = new Map<string, number>();
  for (const job of result.jobs) counts.set(job.conclusion ?? "unknown", (counts.get(job.conclusion ?? "unknown") ?? 0) + 1);
  const tally = [...counts.entries()].map(([k, v]) => `${v} ${k}`).join(", ");
  const symbol = stateSymbol("completed", result.conclusion, style);
  process.stderr.write(`${symbol} ${style.bold(run.workflowName)} run ${run.id}: ${result.conclusion} in ${formatDuration(result.durationMs)} (${tally || "no jobs"})\n`);
  if (result.message) process.stderr.write(`  ${style.red(result.message)}\n`);
  for (const job of result.jobs) {
    if (job.conclusion === "failure" && job.message) process.stderr.write(`  ${style.red("✗")} ${job.name}: ${job.message}\n`);
  }
  process.stderr.write(style.dim(`  logs: slipway logs ${run.id}\n`));
}
