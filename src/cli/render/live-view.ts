/**
 * The live terminal view of a run: jobs as a tree with state and duration, redrawn in place on a TTY,
 * one line per finished job elsewhere; the log of a failing step is printed when it fails.
 */

import type { JobState, RunListener, StepState } from "../../workflow/engine/run-listener";
import { formatDuration, stateSymbol, styleFor, type Style } from "./style";

const failingLogLines = 60;

export class LiveRunView implements RunListener {
  private readonly jobs: JobState[] = [];
  private readonly recentLines = new Map<string, string[]>();
  private readonly style: Style;
  private readonly tty: boolean;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly title: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.style = styleFor(out);
    this.tty = out.isTTY === true;
  }

  start(): void {
    this.out.write(`${this.style.bold(this.title)}\n`);
    if (this.tty) this.timer = setInterval(() => this.redraw(), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.redraw();
  }

  jobQueued(job: JobState): void {
    this.jobs.push(job);
  }

  jobFinished(job: JobState): void {
    if (!this.tty) this.print(this.jobLine(job));
  }

  log(job: JobState, stepNumber: number | null, line: string): void {
    const key = `${job.key}\u0000${stepNumber ?? 0}`;
    const lines = this.recentLines.get(key) ?? [];
    lines.push(line);
    if (lines.length > failingLogLines) lines.shift();
    this.recentLines.set(key, lines);
  }

  stepFinished(job: JobState, step: StepState): void {
    const key = `${job.key}\u0000${step.number}`;
    if (step.outcome === "failure") {
      const lines = this.recentLines.get(key) ?? [];
      const header = this.style.red(`── ${job.name} › ${step.name} failed${step.conclusion === "success" ? " (continue-on-error)" : ""} ──`);
      this.print([header, ...lines.map((l) => `  ${l}`)].join("\n"));
    }
    this.recentLines.delete(key);
  }

  private jobLine(job: JobState): string {
    const duration = job.startedAt ? formatDuration((job.completedAt ?? Date.now()) - job.startedAt) : "";
    const note = job.conclusion === "skipped" || job.conclusion === "cancelled" ? this.style.dim(` ${job.message ?? ""}`) : "";
    return `${stateSymbol(job.status, job.conclusion, this.style)} ${job.name} ${this.style.dim(duration)}${note}`;
  }

  private stepLine(step: StepState): string {
    const duration = step.startedAt ? formatDuration((step.completedAt ?? Date.now()) - step.startedAt) : "";
    return `    ${stateSymbol(step.status, step.conclusion, this.style)} ${step.name} ${this.style.dim(duration)}`;
  }

  /** Prints above the live block, then redraws it. */
  private print(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
    if (this.tty) this.redraw();
  }

  private clear(): void {
    if (!this.tty || this.drawnLines === 0) return;
    this.out.write(`\u001b[${this.drawnLines}A\u001b[0J`);
    this.drawnLines = 0;
  }

  private redraw(): void {
    this.clear();
    const rows = this.out.rows ?? 40;
    const lines: string[] = [];
    for (const job of this.jobs) {
      lines.push(this.jobLine(job));
      if (job.status === "in_progress") lines.push(...job.steps.filter((s) => s.status !== "queued").map((s) => this.stepLine(s)));
    }
    const visible = lines.length > rows - 2 ? [...lines.slice(0, rows - 3), this.style.dim(`… ${lines.length - rows + 3} more`)] : lines;
    if (visible.length > 0) this.out.write(`${visible.join("\n")}\n`);
    this.drawnLines = visible.length;
  }
}
