/** `slipway logs RUN`: a run's logs by job, from the store; `--follow` streams them while the run goes on. `slipway logs deploy/NAME -n ENV`: a workload's replica logs from the server. */

import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { SlipwayError } from "../../core/errors";
import { openRunSource, type RunSource } from "../run-source";
import { action } from "../output";
import { stateSymbol, styleFor } from "../render/style";
import { requireServer } from "../api-client";
import { errorCatalog, type ErrorCode } from "../../core/errors";
import type { LogLine } from "../../runtime/runtime";

interface LogsFlags {
  job?: string;
  step?: string;
  follow?: boolean;
  repo?: string;
  data?: string;
  namespace?: string;
  tail?: string;
  json?: boolean;
}

export function registerLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("print the logs of a run, or of a Deployment's replicas on the server (deploy/NAME, pod/REPLICA)")
    .argument("<run>", "the run id (see `slipway runs`), or deploy/NAME, job/NAME, pod/REPLICA with -n ENV")
    .option("-j, --job <id>", "only this job (its id or full name, e.g. 'test (20)')")
    .option("--step <n>", "only this step number")
    .option("-f, --follow", "keep printing new output until the run ends")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "the data directory (default: .git/slipway)")
    .option("-n, --namespace <env>", "the environment of deploy/…, job/… and pod/… targets")
    .option("--tail <n>", "deploy/…, pod/…: start from the last N lines of each replica")
    .option("--json", "deploy/…, pod/…: one JSON object per line (replica, stream, time, line)")
    .action(action(printLogs));
}

async function printLogs(runArg: string, flags: LogsFlags): Promise<number> {
  if (isWorkloadTarget(runArg)) return printWorkloadLogs(runArg, { namespace: flags.namespace, follow: flags.follow === true, tail: flags.tail, json: flags.json === true });
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

function isWorkloadTarget(arg: string): boolean {
  return /^(deploy|deployment|deployments|job|jobs|pod|pods)\//.test(arg);
}

/** Streams NDJSON log lines from the server's workload-logs route; `[replica]` prefixes unless one pod was asked for. */
async function printWorkloadLogs(target: string, options: { namespace?: string; follow: boolean; tail?: string; json: boolean }): Promise<number> {
  if (!options.namespace) throw new SlipwayError("USAGE", `slipway logs ${target} needs the environment: -n ENV (see \`slipway ps\`).`);
  if (options.tail !== undefined && !/^\d+$/.test(options.tail)) throw new SlipwayError("USAGE", `--tail expects a number of lines, got '${options.tail}'.`);
  const server = requireServer();
  const query = new URLSearchParams({ target });
  if (options.follow) query.set("follow", "true");
  if (options.tail !== undefined) query.set("tail", options.tail);
  const url = `${server.url}/api/v1/namespaces/${encodeURIComponent(options.namespace)}/logs?${query}`;
  const token = process.env.SLIPWAY_TOKEN;
  let response: Response;
  try {
    response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw new SlipwayError("SERVER_UNREACHABLE", `Cannot reach the slipway server at ${server.url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; hint?: string } } | undefined;
    const code = (body?.error?.code && body.error.code in errorCatalog ? body.error.code : "INTERNAL") as ErrorCode;
    throw new SlipwayError(code, body?.error?.message ?? `logs ${target}: HTTP ${response.status}`, { hint: body?.error?.hint });
  }
  const prefix = !target.startsWith("pod");
  const decoder = new TextDecoder();
  let pending = "";
  const emit = (text: string): void => {
    if (!text) return;
    if (options.json) {
      process.stdout.write(`${text}\n`);
      return;
    }
    const line = JSON.parse(text) as LogLine;
    process.stdout.write(prefix ? `[${line.replica}] ${line.line}\n` : `${line.line}\n`);
  };
  for await (const chunk of response.body ?? []) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const text of lines) emit(text);
  }
  emit(pending);
  return 0;
}
