/**
 * Starts runs on the server for events (push, pull_request, workflow_dispatch, schedule) through the
 * same engine as `slipway run`, reports each job as a check on its commit, and tracks what is running.
 */

import { describeError } from "../../core/errors";
import type { RepoRecord, RunRecord, Store } from "../../store";
import { loadWorkflowsAtCommit, readFileAtCommit } from "../../workflow/commit-workflows";
import { ConcurrencyGroups } from "../../workflow/engine/concurrency";
import type { EnvironmentGate } from "../../workflow/engine/environment-gate";
import type { JobState, RunListener, StepState } from "../../workflow/engine/run-listener";
import { formatDiagnostic, type Workflow } from "../../workflow/model";
import { parseWorkflowFile } from "../../workflow/parse";
import { createRunRecord, executeRecordedRun } from "../../workflow/recorded-run";
import type { TriggerEvent } from "../../workflow/trigger-event";
import { matchTrigger } from "../../workflow/triggers";
import type { ServerEvents } from "./server-events";

export interface RunDispatcherOptions {
  store: Store;
  dataDir: string;
  events: ServerEvents;
  repoPath(repo: RepoRecord): string;
  maxParallelJobs?: number;
  log(message: string): void;
  /** Protected environments: jobs with `environment:` wait for approval here (set once the approvals service exists). */
  environmentGate?: EnvironmentGate;
}

export class RunDispatcher {
  private readonly running = new Map<number, { repoId: number; controller: AbortController; done: Promise<void> }>();
  /** Concurrency groups are scoped to a repository, as on GitHub: `deploy` in one repo never cancels another's. */
  private readonly concurrency = new Map<number, ConcurrencyGroups>();

  constructor(private readonly options: RunDispatcherOptions) {}

  /** Creates a run for every workflow the event triggers, starts them in the background, returns their records. */
  async dispatch(repo: RepoRecord, event: TriggerEvent, only?: (workflow: Workflow) => boolean): Promise<RunRecord[]> {
    const repoPath = this.options.repoPath(repo);
    const loaded = await loadWorkflowsAtCommit(repoPath, event.sha);
    for (const d of loaded.diagnostics.filter((x) => x.severity === "error")) this.options.log(`${repo.fullName}@${event.sha.slice(0, 7)}: ${formatDiagnostic(d)}`);
    const runs: RunRecord[] = [];
    for (const workflow of loaded.workflows) {
      if (only && !only(workflow)) continue;
      if (!matchTrigger(workflow, event).matched) continue;
      runs.push(await this.start(repo, repoPath, workflow, event));
    }
    return runs;
  }

  async start(repo: RepoRecord, repoPath: string, workflow: Workflow, event: TriggerEvent): Promise<RunRecord> {
    const { store, dataDir } = this.options;
    // Secrets for server runs: SLIPWAY_SECRET_<NAME> in the server's environment, the same rule as `slipway run`.
    const runOptions = { workflow, event, repoDir: repoPath, dataDir, secrets: serverSecrets() };
    const run = await createRunRecord(store, runOptions);
    this.options.events.emit({ type: "run.created", repo: repo.fullName, runId: run.id, workflow: workflow.file, sha: event.sha });
    const controller = new AbortController();
    const done = executeRecordedRun(store, run, {
      ...runOptions,
      signal: controller.signal,
      concurrency: this.concurrencyOf(repo),
      maxParallelJobs: this.options.maxParallelJobs,
      environmentGate: this.options.environmentGate,
      listener: this.checksListener(repo, run.id, event.sha),
      loadWorkflow: async (path) => {
        const parsed = await parseWorkflowFile(path, await readFileAtCommit(repoPath, event.sha, path));
        if (!parsed.workflow) throw new Error(`${path}: ${parsed.diagnostics.map(formatDiagnostic).join("; ")}`);
        return parsed.workflow;
      },
    })
      .then(({ result }) => this.options.events.emit({ type: "run.completed", repo: repo.fullName, runId: run.id, conclusion: result.conclusion }))
      .catch((error: unknown) => this.options.log(`run ${run.id} failed to record: ${describeError(error)}`))
      .finally(() => this.running.delete(run.id));
    this.running.set(run.id, { repoId: repo.id, controller, done });
    return run;
  }

  private concurrencyOf(repo: RepoRecord): ConcurrencyGroups {
    let groups = this.concurrency.get(repo.id);
    if (!groups) this.concurrency.set(repo.id, (groups = new ConcurrencyGroups()));
    return groups;
  }

  cancel(runId: number): boolean {
    const entry = this.running.get(runId);
    entry?.controller.abort(new Error("Cancelled through the API."));
    return entry !== undefined;
  }

  runningRunIds(): number[] {
    return [...this.running.keys()];
  }

  /** Before a repo is deleted: cancels its running runs and waits until each is recorded. */
  async cancelRepoRuns(repoId: number): Promise<void> {
    const entries = [...this.running.values()].filter((entry) => entry.repoId === repoId);
    for (const entry of entries) entry.controller.abort(new Error("The repository was deleted."));
    await Promise.all(entries.map((e) => e.done));
  }

  /** Cancels every running run and waits until each is recorded. */
  async shutdown(): Promise<void> {
    const entries = [...this.running.values()];
    for (const entry of entries) entry.controller.abort(new Error("The server is shutting down."));
    await Promise.all(entries.map((e) => e.done));
  }

  /** Waits for the given runs (tests and benchmarks). */
  async settled(runIds: number[]): Promise<void> {
    await Promise.all(runIds.map((id) => this.running.get(id)?.done));
  }

  private checksListener(repo: RepoRecord, runId: number, sha: string): RunListener {
    const { store, events } = this.options;
    const report = async (job: JobState): Promise<void> => {
      // A check that cannot be written must not break the run it reports on.
      await store.checks
        .upsertCheck({ repoId: repo.id, sha, name: job.name, runId, status: job.status === "waiting" ? "queued" : job.status, conclusion: job.conclusion ?? null })
        .catch((error: unknown) => this.options.log(`check '${job.name}' of run ${runId}: ${describeError(error)}`));
      events.emit({ type: "job.updated", repo: repo.fullName, runId, job: job.key, status: job.status, conclusion: job.conclusion });
    };
    return {
      jobQueued: report,
      jobStarted: report,
      jobFinished: report,
      stepStarted: (job: JobState, step: StepState) => events.emit({ type: "step.started", repo: repo.fullName, runId, job: job.key, step: step.number, name: step.name }),
    };
  }
}

/** `SLIPWAY_SECRET_<NAME>` variables of the server process as the runs' `secrets` (masked in logs like any secret). */
export function serverSecrets(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith("SLIPWAY_SECRET_") && value) secrets[key.slice("SLIPWAY_SECRET_".length)] = value;
  return secrets;
}
