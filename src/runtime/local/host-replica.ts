/** A replica running as a host process tree — started by us, or adopted after a restart (then watched by polling /proc, since it is not our child). */

import { readFileSync } from "node:fs";
import { SlipwayError } from "../../core/errors";
import { runProcess } from "../../workflow/executors/host/process-tree";
import { isSameProcessRunning } from "../../workflow/executors/host/proc-table";
import type { ProcessTreeTracker } from "../../workflow/executors/host/tree-termination";
import type { ReplicaExit, RunningReplica } from "../replica-driver";
import type { ExecResult } from "../runtime";

/** Exec output kept per stream; probes and `slipway exec` need little. */
const execOutputLimit = 1024 * 1024;

function collect(limit: number): { push(chunk: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      if (size >= limit) return;
      chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

/** Settles once the process (pid + start time) is gone or a zombie: how an adopted replica's exit is noticed. */
export function pollUntilGone(pid: number, startTime: number, intervalMs = 250): Promise<ReplicaExit> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (isSameProcessRunning(pid, startTime)) return;
      clearInterval(timer);
      resolve({ exitCode: null, signal: null });
    }, intervalMs);
  });
}

/** A process's environment from /proc (what an adopted replica's exec runs with). */
export function readProcessEnvironment(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  let text = "";
  try {
    text = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return env;
  }
  for (const entry of text.split("\0")) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

export class HostProcessReplica implements RunningReplica {
  readonly exited: Promise<ReplicaExit>;
  private running = true;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly pid: number,
    private readonly tracker: ProcessTreeTracker,
    exited: Promise<ReplicaExit>,
    private readonly name: string,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
    onExit: () => void,
    readonly adopted = false,
  ) {
    this.exited = exited.then((exit) => {
      this.running = false;
      tracker.markRootExited();
      onExit();
      return exit;
    });
  }

  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.tracker.terminate(graceMs, () => this.running);
    return this.stopping;
  }

  async exec(command: string[], timeoutMs: number): Promise<ExecResult> {
    const [program, ...args] = command;
    if (!program) throw new SlipwayError("REQUEST_INVALID", `exec in ${this.name}: the command is empty`);
    const stdout = collect(execOutputLimit);
    const stderr = collect(execOutputLimit);
    const outcome = await runProcess({
      command: program,
      args,
      cwd: this.cwd,
      env: this.env,
      timeoutMs,
      killGraceMs: 1000,
      stdioDrainMs: 500,
      onStdout: (chunk) => stdout.push(chunk),
      onStderr: (chunk) => stderr.push(chunk),
    });
    return { exitCode: outcome.exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut: outcome.timedOut };
  }
}
