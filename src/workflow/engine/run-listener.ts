/** What the engine reports while it runs: the store recorder and the live terminal view both listen. */

import type { JsonObject } from "../../core/json";
import type { Conclusion, RunStatus } from "../conclusions";

export interface StepState {
  /** 1-based; post steps follow the job's own steps. */
  number: number;
  name: string;
  status: RunStatus;
  /** Result before continue-on-error is applied. */
  outcome?: Conclusion;
  /** Result after continue-on-error is applied. */
  conclusion?: Conclusion;
  outputs: Record<string, string>;
  startedAt?: number;
  completedAt?: number;
}

export interface JobState {
  /** Unique within the run: the job id, plus the matrix values, plus the caller for reusable workflows. */
  key: string;
  /** The YAML key. */
  jobId: string;
  name: string;
  matrix: JsonObject;
  needs: string[];
  status: RunStatus;
  conclusion?: Conclusion;
  outputs: Record<string, string>;
  environment?: { name: string; url?: string };
  steps: StepState[];
  startedAt?: number;
  completedAt?: number;
  /** Why the job was skipped, failed outside a step, or was cancelled. */
  message?: string;
}

/** An `::error file=…,line=…::` style annotation, as the log processor reads it from a step's output. */
export type { Annotation } from "../executors/host/log-processor";
import type { Annotation } from "../executors/host/log-processor";

export interface RunListener {
  jobQueued?(job: JobState): void | Promise<void>;
  jobStarted?(job: JobState): void | Promise<void>;
  jobFinished?(job: JobState): void | Promise<void>;
  stepStarted?(job: JobState, step: StepState): void | Promise<void>;
  stepFinished?(job: JobState, step: StepState): void | Promise<void>;
  /** One log line (no trailing newline); stepNumber null for job-level lines. May apply backpressure. */
  log?(job: JobState, stepNumber: number | null, line: string): void | Promise<void>;
  annotation?(job: JobState, stepNumber: number | null, annotation: Annotation): void | Promise<void>;
}

type ListenerMethod = keyof RunListener;

/** Fan one stream of engine events out to several listeners; each sees the events in the order they happened. */
export function combineListeners(...listeners: (RunListener | undefined)[]): RunListener {
  const present = listeners.filter((l): l is RunListener => l !== undefined);
  const dispatch =
    (method: ListenerMethod) =>
    async (...args: unknown[]): Promise<void> => {
      // Every listener is called synchronously, in order, so no listener's backpressure reorders another's events.
      const pending: unknown[] = [];
      for (const listener of present) {
        const fn = listener[method] as ((...a: unknown[]) => void | Promise<void>) | undefined;
        if (fn) pending.push(fn.apply(listener, args));
      }
      await Promise.all(pending);
    };
  return {
    jobQueued: dispatch("jobQueued"),
    jobStarted: dispatch("jobStarted"),
    jobFinished: dispatch("jobFinished"),
    stepStarted: dispatch("stepStarted"),
    stepFinished: dispatch("stepFinished"),
    log: dispatch("log"),
    annotation: dispatch("annotation"),
  };
}
