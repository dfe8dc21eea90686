/** One replica's container as the shared Replica supervisor sees it: its exit from the engine's wait, `docker stop -t` semantics, exec through the engine's exec API. */

import { constants } from "node:os";
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { SlipwayError, describeError } from "../../core/errors";
import type { ReplicaExit, ReplicaOutput, RunningReplica } from "../replica-driver";
import type { ExecResult } from "../runtime";
import { isAlreadyThere, isNotFound } from "./docker-engine";

/** Exec output kept per stream; probes and `slipway exec` need little. */
const execOutputLimit = 1024 * 1024;

function signalOf(exitCode: number | null): string | null {
  if (exitCode === null || exitCode <= 128 || exitCode >= 128 + 32) return null;
  const found = Object.entries(constants.signals).find(([, number]) => number === exitCode - 128);
  return found ? found[0] : null;
}

function sink(write: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      write(chunk);
      callback();
    },
  });
}

/** Splits the engine's multiplexed stdout/stderr stream into the replica's log writer. */
export function pipeOutput(docker: Docker, stream: NodeJS.ReadableStream, output: ReplicaOutput): void {
  docker.modem.demuxStream(stream, sink((chunk) => output.stdout(chunk)), sink((chunk) => output.stderr(chunk)));
  stream.on("error", () => undefined);
}

function collect(limit: number): { writable: Writable; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    writable: sink((chunk) => {
      if (size >= limit) return;
      chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    }),
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

export class ContainerReplica implements RunningReplica {
  readonly exited: Promise<ReplicaExit>;
  private finished = false;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    readonly containerId: string,
    /** The container's main process as the host sees it. */
    readonly pid: number | undefined,
    private readonly replica: string,
  ) {
    this.exited = this.waitForExit().then((exit) => {
      this.finished = true;
      return exit;
    });
  }

  /** The engine's wait answers when the container stops for any reason: exit, `docker stop`, `docker kill`, `docker rm -f`. */
  private async waitForExit(): Promise<ReplicaExit> {
    let exitCode: number | null = null;
    try {
      const result = (await this.container.wait()) as { StatusCode?: unknown };
      exitCode = typeof result.StatusCode === "number" ? result.StatusCode : null;
    } catch {
      // The connection broke (engine restarted) or the container vanished: exitCode stays unknown.
    }
    // The engine knows what the exit code cannot say: killed for exceeding its memory limit.
    const info = await this.container.inspect().catch(() => undefined);
    if (exitCode === null && info && !info.State.Running) exitCode = info.State.ExitCode;
    return { exitCode, signal: signalOf(exitCode), reason: info?.State.OOMKilled ? "OOMKilled" : undefined };
  }

  private async kill(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
    await this.container.kill({ signal }).catch((error: unknown) => {
      if (!isNotFound(error) && !isAlreadyThere(error)) throw error;
    });
  }

  /** `docker stop -t`: SIGTERM, SIGKILL after graceMs (whole seconds go through the engine's own stop), then the container is removed. */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.finished) {
        if (graceMs > 0 && graceMs % 1000 === 0) {
          await this.container.stop({ t: graceMs / 1000 }).catch((error: unknown) => {
            if (!isNotFound(error) && !isAlreadyThere(error)) throw error;
          });
        } else {
          if (graceMs > 0) await this.kill("SIGTERM");
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
          clearTimeout(timer);
          if (!this.finished) await this.kill("SIGKILL");
        }
        await this.exited;
      }
      await this.container.remove({ force: true }).catch((error: unknown) => {
        if (!isNotFound(error) && !isAlreadyThere(error)) throw error;
      });
    })();
    return this.stopping;
  }

  async exec(command: string[], timeoutMs: number): Promise<ExecResult> {
    if (command.length === 0) throw new SlipwayError("REQUEST_INVALID", `exec in ${this.replica}: the command is empty`);
    let exec: Docker.Exec;
    try {
      exec = await this.container.exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    } catch (error) {
      throw new SlipwayError("CONFLICT", `exec in ${this.replica}: ${describeError(error)}`, { cause: error });
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = collect(execOutputLimit);
    const stderr = collect(execOutputLimit);
    this.docker.modem.demuxStream(stream, stdout.writable, stderr.writable);
    let timedOut = false;
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    const timer = setTimeout(() => {
      timedOut = true;
      // The engine has no "kill exec": end the exec'd process by its host pid.
      void exec.inspect().then((info) => {
        if (info.Running && info.Pid > 0) process.kill(info.Pid, "SIGKILL");
      }).catch(() => undefined).finally(() => stream.destroy());
    }, timeoutMs);
    await ended;
    clearTimeout(timer);
    const info = await exec.inspect().catch(() => undefined);
    return { exitCode: timedOut ? null : (info?.ExitCode ?? null), stdout: stdout.text(), stderr: stderr.text(), timedOut };
  }
}
