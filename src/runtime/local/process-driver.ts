/** The local replica driver: a replica's container is a host process tree, tracked and ended with the host executor's process-tree tracker. */

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { SlipwayError, describeError } from "../../core/errors";
import { runProcess } from "../../workflow/executors/host/process-tree";
import { ProcessTreeTracker, processTrackingVariable } from "../../workflow/executors/host/tree-termination";
import type { ReplicaDriver, ReplicaExit, ReplicaLaunch, ReplicaOutput, RunningReplica } from "../replica-driver";
import type { ExecResult } from "../runtime";

/** Exec output kept per stream; probes and `slipway exec` need little. */
const execOutputLimit = 1024 * 1024;

/** Volume names as environment variable suffixes: "app-config" → "APP_CONFIG". */
export function mountVariableName(volume: string): string {
  return `SLIPWAY_MOUNT_${volume.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

function processEnv(launch: ReplicaLaunch): Record<string, string> {
  const env: Record<string, string> = { ...launch.env };
  // A host process cannot see /etc/config: it gets the directories where its volumes were written.
  for (const mount of launch.mounts) env[mountVariableName(mount.volume)] = mount.hostPath;
  if (launch.mounts.length > 0) env.SLIPWAY_MOUNTS = `${launch.replicaDir}/mounts`;
  return env;
}

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

class HostProcessReplica implements RunningReplica {
  readonly exited: Promise<ReplicaExit>;
  private running = true;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly pid: number,
    private readonly tracker: ProcessTreeTracker,
    exited: Promise<ReplicaExit>,
    private readonly launch: ReplicaLaunch,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {
    this.exited = exited.then((exit) => {
      this.running = false;
      tracker.markRootExited();
      return exit;
    });
  }

  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.tracker.terminate(graceMs, () => this.running);
    return this.stopping;
  }

  async exec(command: string[], timeoutMs: number): Promise<ExecResult> {
    const [program, ...args] = command;
    if (!program) throw new SlipwayError("REQUEST_INVALID", `exec in ${this.launch.name}: the command is empty`);
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

export class ProcessReplicaDriver implements ReplicaDriver {
  readonly isolation = "process" as const;
  readonly resourceLimits = false;
  readonly absoluteMountPaths = false;

  async start(launch: ReplicaLaunch, output: ReplicaOutput): Promise<RunningReplica> {
    const [program, ...commandArgs] = launch.container.command;
    if (!program) throw new SlipwayError("REQUEST_INVALID", `${launch.workload.kind} ${launch.workload.name}: container ${launch.container.name} has no command`);
    const env = processEnv(launch);
    const cwd = launch.container.workingDir ?? launch.replicaDir;
    const trackingId = randomUUID();
    const child = spawn(program, [...commandArgs, ...(launch.container.args ?? [])], {
      cwd,
      env: { ...env, [processTrackingVariable]: trackingId },
      // Its own process group, so SIGTERM reaches the whole tree.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<ReplicaExit>((resolve) => child.once("exit", (code, signal) => resolve({ exitCode: code, signal })));
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("spawn", () => resolve(child.pid as number));
      child.once("error", (error) =>
        reject(new SlipwayError("REQUEST_INVALID", `replica ${launch.name} could not start ${program}: ${describeError(error)}`, { cause: error })),
      );
    });
    child.on("error", () => undefined);
    child.stdout?.on("data", (chunk: Buffer) => output.stdout(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.stderr(chunk));
    const tracker = new ProcessTreeTracker({ pid, leadsGroup: true }, { name: processTrackingVariable, value: trackingId });
    return new HostProcessReplica(pid, tracker, exited, launch, env, cwd);
  }
}
