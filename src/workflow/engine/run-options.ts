/** Everything a run needs from its caller (the CLI for `slipway run`, the server for pushes). */

import type { Clock } from "../../core/clock";
import type { Workflow } from "../model";
import type { TriggerEvent } from "../trigger-event";
import type { RunListener } from "./run-listener";
import type { ConcurrencyGroups } from "./concurrency";
import type { EnvironmentGate } from "./environment-gate";

export interface RunOptions {
  workflow: Workflow;
  event: TriggerEvent;
  /** A git repository (working copy or bare) that holds `event.sha`. */
  repoDir: string;
  /** Where workspaces, artifacts and caches live (e.g. `.git/slipway` locally, DIR on the server). */
  dataDir: string;
  runId: number;
  runNumber: number;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Run only this job (and the jobs it needs). */
  onlyJob?: string;
  /** How many jobs run at once; default: the CPU count. */
  maxParallelJobs?: number;
  signal?: AbortSignal;
  listener?: RunListener;
  /** Shared across runs on a server so `concurrency` groups span runs. */
  concurrency?: ConcurrencyGroups;
  /** Reads another workflow of the same repo at the run's commit, for `jobs.<id>.uses: ./.github/workflows/x.yml`. */
  loadWorkflow?: (path: string) => Promise<Workflow>;
  clock?: Clock;
  /** Print `::debug::` lines (ACTIONS_STEP_DEBUG). */
  debug?: boolean;
  /** Keep job workspaces after the run (for inspection); default false. */
  keepWorkspaces?: boolean;
  /** Protected environments (the server): jobs with `environment:` wait here for approval. `slipway run` has none. */
  environmentGate?: EnvironmentGate;
}
