/** `slipway logs RUN`: a run's logs by job, from the store; `--follow` streams them while the run goes on. */

import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { SlipwayError } from "../../core/errors";
import { openRunSource, type RunSource } from "../run-source";
import { action } from "../output";
import { stateSymbol, styleFor } from "../render/style";

interface LogsFlags {
  job?: string;
  step?: string;
  follow?: boolean;
  repo?: string;
  data?: string;
}

export function registerLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("print the logs of a run")
    .argument("<run>", "the run id (see `slipway runs`)")
    .option("-j, --job <id>", "only this job (its id or full name, e.g. 'test (20)')")
    .option("--step <n>", "only this step number")
    .option("-f, --follow", "keep printing new output until the run ends")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "the data directory (default: .git/slipway)")
    .action(action(printLogs));
}

async function printLogs(runArg: string, flags: LogsFlags): Promise<number> {
  const runId = Number(runArg);
  if (!Number.isInteger(runId) || runId < 1) throw new SlipwayError("USAGE", `'${runArg}' is not a run id (a positive whole number).`);
  const step = flags.step === undefined ? undefined : Number(flags.step);
  if (step !== undefined && (!Number.isInteger(step) || step < 1)) throw new SlipwayError("USAGE", `--step expects a step number (1, 2, …), got '${flags.step}'.`);
  const source = await openRunSource(flags);
  try {
    return await streamLogs(source, runId, { job: flags.job, step, follow: flags.follow === true });
  } finally {
    await source.close();
  }
}

async function streamLogs(source: RunSource, runId: number, options: { job?: string; step?: number; follow: boolean }): Promise<number> {
  const style = styleFor(process.stdout);
  const positions = new Map<number, number>();
  const announced = new Set<number>();
  for (;;) {
    const run = await source.getRun(runId);
    if (!run) throw new SlipwayError("RUN_NOT_FOUND", `There is no run ${runId}.`);
    const jobs = run.jobs.filter((j) => !options.job || j.jobId === options.job || j.jobKey === options.job || j.name === options.job);
    if (options.job && jobs.length === 0 && run.status === "completed") {
      throw new SlipwayError("JOB_NOT_FOUND", `Run ${runId} has no job '${options.job}' (jobs: ${run.jobs.map((j) => j.jobKey).join(", ")}).`);
    }
    for (const job of jobs) {
      let after = positions.get(job.id) ?? 0;
      for (;;) {
        const chunks = await source.readLogs(runId, job.id, after, 200);
        if (chunks.length === 0) break;
        for (const chunk of chunks) {
          if (!announced.has(job.id)) {
            announced.add(job.id);
            process.stdout.write(`${style.bold(`=== ${job.name}`)}\n`);
          }
          if (options.step === undefined || chunk.stepNumber === options.step) process.stdout.write(chunk.content);
          after = chunk.seq;
        }
      }
      positions.set(job.id, after);
      if (!options.follow && !announced.has(job.id)) {
        announced.add(job.id);
        process.stdout.write(`${style.bold(`=== ${job.name}`)} ${stateSymbol(job.status, job.conclusion, style)} ${style.dim(job.error ?? "(no output)")}\n`);
      }
    }
    if (!options.follow || run.status === "completed") return 0;
    await sleep(250);
  }
}
