/**
 * Ctrl-C (or SIGTERM) during `slipway run`. The first cancels the runs: running steps are ended and
 * `if: always()` steps still run, as on GitHub. The second stops at once, yet leaves no step process
 * behind and no run `in_progress` forever: it kills every process the runs started, then records the
 * unfinished runs, jobs and steps as cancelled.
 */

import { randomUUID } from "node:crypto";
import type { Store } from "../store";
import { killProcessesWithEnvironment } from "../workflow/executors/host";

/** Steps inherit slipway's environment, so every process they start (setsid and double forks included) carries it. */
const runMarkerVariable = "SLIPWAY_CLI_RUN_MARKER";
const stoppedMessage = "Stopped by a second interrupt.";

export class RunInterrupts {
  readonly controller = new AbortController();
  private readonly runIds: number[] = [];
  private readonly marker = randomUUID();
  private count = 0;
  private readonly onSignal = (): void => this.interrupt();

  constructor(private readonly store: Store) {}

  start(): void {
    process.env[runMarkerVariable] = this.marker;
    process.on("SIGINT", this.onSignal);
    process.on("SIGTERM", this.onSignal);
  }

  stop(): void {
    process.off("SIGINT", this.onSignal);
    process.off("SIGTERM", this.onSignal);
    delete process.env[runMarkerVariable];
  }

  track(runId: number): void {
    this.runIds.push(runId);
  }

  get interrupted(): boolean {
    return this.controller.signal.aborted;
  }

  private interrupt(): void {
    this.count++;
    if (this.count === 1) {
      process.stderr.write("\nCancelling the run… (press Ctrl-C again to stop at once)\n");
      this.controller.abort(new Error("Cancelled by the user"));
    } else if (this.count === 2) {
      process.stderr.write("\nStopping now…\n");
      void this.stopNow().finally(() => process.exit(130));
    } else {
      process.exit(130);
    }
  }

  private async stopNow(): Promise<void> {
    await killProcessesWithEnvironment(runMarkerVariable, this.marker, { graceMs: 0 }).catch(() => []);
    const now = Date.now();
    const cancelled = { status: "completed", conclusion: "cancelled", completedAt: now } as const;
    for (const id of this.runIds) {
      try {
        const run = await this.store.runs.getRun(id);
        if (!run || run.status === "completed") continue;
        for (const job of run.jobs.filter((j) => j.status !== "completed")) {
          for (const step of job.steps.filter((s) => s.status !== "completed")) await this.store.runs.upsertStep(job.id, step.number, { ...cancelled, outcome: "cancelled" });
          await this.store.runs.updateJob(job.id, { ...cancelled, error: job.error ?? stoppedMessage });
        }
        await this.store.runs.updateRun(id, { ...cancelled, error: stoppedMessage });
      } catch {
        // Best effort: we are exiting; the processes are gone either way.
      }
    }
  }
}
