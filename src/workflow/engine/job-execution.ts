/** The live state of one job instance while its steps run: contexts, env, status, logs, post steps. */

import type { JsonObject, JsonValue } from "../../core/json";
import type { ExpressionContexts, StatusFunctions } from "../expressions";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import type { CollectedFileCommands } from "../executors/host/file-commands";
import { SecretMasker } from "../executors/host/secret-masker";
import { hashFiles } from "./hash-files";
import { gitFreeEnvironment } from "../../git/git-cli";
import type { Annotation, JobState, RunListener, StepState } from "./run-listener";
import type { JobDirectories } from "./workspace";
import type { RunOptions } from "./run-options";

/** A step to run when the job ends (JavaScript actions' `post:`, built-in cache saves). */
export interface PostStep {
  name: string;
  /** Condition source with a status function, e.g. `always()` or `success()`. */
  condition: string;
  run(execution: JobExecution, step: StepState): Promise<boolean>;
}

/** Log lines in flight to the listeners before a step's output is paused, and when it resumes. */
const highWaterMark = 2000;
const lowWaterMark = 200;

export class JobExecution {
  /** Process environment added by GITHUB_ENV, in order of writing. */
  readonly addedEnv: Record<string, string> = {};
  /** Directories added by GITHUB_PATH, newest first. */
  readonly addedPath: string[] = [];
  readonly posts: PostStep[] = [];
  /** Checkouts made by this job, removed when it ends. */
  readonly checkouts: string[] = [];
  private stepController = new AbortController();
  failed = false;
  cancelled = false;
  private nextStepNumber = 1;

  constructor(
    readonly options: RunOptions,
    readonly state: JobState,
    readonly dirs: JobDirectories,
    readonly contexts: ExpressionContexts,
    readonly masker: SecretMasker,
    private readonly listener: RunListener,
  ) {}

  /** Aborts the step running now (cancellation, job timeout). */
  get controller(): AbortController {
    return this.stepController;
  }

  /**
   * The signal for a step that starts now. A cancellation stops the step that was running; steps that
   * run afterwards (`if: always()`, `cancelled()`, post steps) get a fresh signal, as on GitHub.
   */
  get signal(): AbortSignal {
    if (this.stepController.signal.aborted) this.stepController = new AbortController();
    return this.stepController.signal;
  }

  /** hashFiles() over this job's workspace. */
  readonly hashFiles = (patterns: string[]): string => hashFiles(this.dirs.workspace, patterns);

  /** Apply what a step wrote to GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY. */
  async applyFileCommands(files: CollectedFileCommands): Promise<void> {
    Object.assign(this.addedEnv, files.env);
    for (const entry of files.path) this.addedPath.unshift(entry);
    if (files.summary) await appendFile(this.summaryPath, files.summary.endsWith("\n") ? files.summary : `${files.summary}\n`);
  }

  get summaryPath(): string {
    return join(this.dirs.root, "summary.md");
  }

  /** Status functions as a step's `if:` sees them. */
  status(): StatusFunctions {
    return {
      success: () => !this.failed && !this.cancelled,
      failure: () => this.failed,
      cancelled: () => this.cancelled,
    };
  }

  cancel(reason: string): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.state.message ??= reason;
    this.stepController.abort(new Error(reason));
  }

  newStep(name: string): StepState {
    const step: StepState = { number: this.nextStepNumber++, name, status: "queued", outputs: {} };
    this.state.steps.push(step);
    return step;
  }

  private pendingLogs = 0;
  private drained: (() => void)[] = [];

  /** Lines arrive already masked from the log processor; runner-made lines are masked here too (idempotent). */
  log(stepNumber: number | null, line: string): Promise<void> {
    this.pendingLogs++;
    const done = Promise.resolve(this.listener.log?.(this.state, stepNumber, this.masker.mask(line))).finally(() => {
      this.pendingLogs--;
      if (this.pendingLogs <= lowWaterMark) for (const resolve of this.drained.splice(0)) resolve();
    });
    return done;
  }

  /** Backpressure for a step's output: a promise while too many log lines are still being stored. */
  drain(): Promise<void> | undefined {
    if (this.pendingLogs < highWaterMark) return undefined;
    return new Promise((resolve) => this.drained.push(resolve));
  }

  async annotate(stepNumber: number | null, annotation: Annotation): Promise<void> {
    await this.listener.annotation?.(this.state, stepNumber, { ...annotation, message: this.masker.mask(annotation.message) });
  }

  async stepStarted(step: StepState): Promise<void> {
    step.status = "in_progress";
    step.startedAt = Date.now();
    await this.listener.stepStarted?.(this.state, step);
  }

  async stepFinished(step: StepState): Promise<void> {
    step.status = "completed";
    step.completedAt = Date.now();
    await this.listener.stepFinished?.(this.state, step);
  }

  /** Record a step's result in the `steps` context when it has an id. */
  recordStepContext(id: string | undefined, step: StepState): void {
    if (!id) return;
    const steps = (this.contexts.steps ?? {}) as JsonObject;
    steps[id] = { outputs: { ...step.outputs }, outcome: step.outcome ?? null, conclusion: step.conclusion ?? null } as JsonValue;
    this.contexts.steps = steps;
  }

  /** The process environment of a step: host env, runner defaults, GITHUB_ENV additions, then `env` contexts. */
  processEnvironment(base: Record<string, string>, contextEnv: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = { ...hostEnvironment(), ...base, ...this.addedEnv, ...contextEnv };
    if (this.addedPath.length > 0) env.PATH = [...this.addedPath, env.PATH ?? ""].filter(Boolean).join(":");
    return env;
  }
}

/** Credentials of slipway itself: a step gets them only as `secrets` (masked), never by inheriting the host's environment. */
const slipwayCredentials = new Set(["SLIPWAY_TOKEN", "SLIPWAY_REGISTRY_TOKEN"]);

/** The host's environment, without variables that would confuse a nested runner, point git elsewhere, or leak credentials. */
function hostEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(gitFreeEnvironment())) {
    if (value === undefined || key.startsWith("GITHUB_") || key.startsWith("RUNNER_") || key.startsWith("INPUT_")) continue;
    if (key.startsWith("SLIPWAY_SECRET_") || slipwayCredentials.has(key)) continue;
    env[key] = value;
  }
  return env;
}
