/** Runs one command as its own process tree, streams its output, and ends the whole tree on timeout or cancel. */

import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { SlipwayError, describeError } from "../../../core/errors";
import { ProcessTreeTracker, processTrackingVariable } from "./tree-termination";

export { killProcessTree, killProcessesWithEnvironment, processTrackingVariable } from "./tree-termination";

export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Output as it arrives; a returned promise pauses the output streams until it settles (backpressure). */
  onStdout(chunk: Buffer): unknown;
  onStderr(chunk: Buffer): unknown;
  /** Between SIGTERM and SIGKILL; default 5000. */
  killGraceMs?: number;
  /** After the child exits, how long background processes may keep its stdout/stderr open before they are ended (GitHub: 5 s). */
  stdioDrainMs?: number;
  /** How often the tree is snapshotted while it runs, to remember descendants before they are re-parented. */
  snapshotIntervalMs?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
}

/** Once stdio is forcibly closed after the tree was killed, how long to wait for the close events. */
const closeAfterKillMs = 1000;

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function waitForSpawn(child: ChildProcess, command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid as number));
    child.once("error", (error) => reject(new SlipwayError("ACTION_INVALID", `Could not start ${command}: ${describeError(error)}`, { cause: error })));
  });
}

export async function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  const startedAt = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedAt);
  if (spec.signal?.aborted) return { exitCode: null, signal: null, timedOut: false, cancelled: true, durationMs: 0 };

  const trackingId = randomUUID();
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...spec.env, [processTrackingVariable]: trackingId },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const pid = await waitForSpawn(child, spec.command);
  child.on("error", () => undefined); // after a successful spawn there is nothing to report; never crash on it

  const tracker = new ProcessTreeTracker({ pid, leadsGroup: true }, { name: processTrackingVariable, value: trackingId });
  let childRunning = true;
  let timedOut = false;
  let cancelled = false;
  let callbackError: unknown;
  let terminating: Promise<void> | undefined;
  const terminate = (): void => {
    terminating ??= tracker.terminate(spec.killGraceMs ?? 5000, () => childRunning);
  };

  const pauseUntil = (pending: Promise<void>): void => {
    child.stdout?.pause();
    child.stderr?.pause();
    pending.then(
      () => {
        child.stdout?.resume();
        child.stderr?.resume();
      },
      (error: unknown) => {
        callbackError ??= error;
        terminate();
      },
    );
  };
  const deliver = (callback: (chunk: Buffer) => unknown) => (chunk: Buffer) => {
    if (callbackError !== undefined) return;
    try {
      const pending = callback(chunk);
      if (pending instanceof Promise) pauseUntil(pending);
    } catch (error) {
      callbackError = error;
      terminate();
    }
  };
  child.stdout?.on("data", deliver(spec.onStdout));
  child.stderr?.on("data", deliver(spec.onStderr));

  const timeoutTimer =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = !cancelled;
          terminate();
        }, spec.timeoutMs);
  const onAbort = (): void => {
    cancelled = !timedOut;
    terminate();
  };
  spec.signal?.addEventListener("abort", onAbort, { once: true });
  // No scan at start: most steps end within the first interval, and termination finds every process by
  // its environment marker anyway; periodic scans only add ppid links for processes that drop the marker.
  const snapshotTimer = setInterval(() => void tracker.snapshot(), spec.snapshotIntervalMs ?? 500);

  try {
    const exit = await exited;
    childRunning = false;
    tracker.markRootExited();
    if (!(await settlesWithin(closed, spec.stdioDrainMs ?? 5000))) {
      // Background processes still hold the output pipes: end them, as GitHub's runner does after 5 s.
      terminate();
      await terminating;
      if (!(await settlesWithin(closed, closeAfterKillMs))) {
        child.stdout?.destroy();
        child.stderr?.destroy();
        await closed;
      }
    }
    if (terminating) await terminating;
    if (callbackError !== undefined) throw callbackError;
    return { exitCode: exit.code, signal: exit.signal, timedOut, cancelled, durationMs: elapsed() };
  } finally {
    if (timeoutTimer) clearTimeout(timeoutTimer);
    clearInterval(snapshotTimer);
    spec.signal?.removeEventListener("abort", onAbort);
  }
}
