/** What a corpus run produced, in one shape whether it came from the engine or from `slipway run --json`. */

import type { Annotation } from "../../../src/workflow/engine/run-listener";

export interface ObservedStep {
  name: string;
  outcome: string | null;
  conclusion: string | null;
  outputs: Record<string, string>;
}

export interface ObservedJob {
  key: string;
  conclusion: string | null;
  outputs: Record<string, string>;
  environment?: { name: string; url?: string };
  message?: string;
  steps: ObservedStep[];
  /** Log lines by step number (0: job-level lines); undefined when the source has no logs (the CLI's JSON). */
  logs?: Map<number, string[]>;
  annotations?: Annotation[];
  summary?: string;
}

export type ObservedWorkflow =
  | { triggered: false; reason: string }
  | { triggered: true; rejected: string }
  | { triggered: true; rejected?: undefined; conclusion: string; message?: string; jobs: ObservedJob[] };

/** Placeholders expectations may use, e.g. `{sha}`. */
export type Placeholders = Record<string, string>;
