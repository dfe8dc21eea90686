/**
 * `on: schedule` on the server: the cron entries of every repo's workflows on its default branch, each
 * with its next fire time (UTC), fired as `schedule` events through the run dispatcher. Reloads a repo
 * after a push to its default branch. Fires that fall while the server is down are not caught up (as
 * on GitHub, schedules are best effort); a late tick fires an entry once, then it moves to its next time.
 */

import type { Clock } from "../../core/clock";
import { describeError } from "../../core/errors";
import { gitMaybe } from "../../git/git-cli";
import type { RepoRecord, RunRecord, Store } from "../../store";
import { loadWorkflowsAtCommit } from "../../workflow/commit-workflows";
import type { TriggerEvent } from "../../workflow/trigger-event";
import { nextCronRun } from "../../workflow/triggers";
import type { RunDispatcher } from "./run-dispatcher";
import type { ServerEvents } from "./server-events";
import { repositoryPayload } from "./repository-payload";

export interface SchedulerOptions {
  store: Store;
  dispatcher: RunDispatcher;
  events: ServerEvents;
  clock: Clock;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
}

export interface ScheduleEntry {
  repoId: number;
  workflowFile: string;
  cron: string;
  /** Epoch ms of the next fire. */
  next: number;
}

/** A timer never sleeps longer than this, so a clock that jumps (suspend, NTP) is noticed within a minute. */
const maxSleepMs = 60_000;
/** After a push, reload a little later: the push's own runs start first, and a burst of pushes reloads once. */
const reloadDelayMs = 300;

export class Scheduler {
  private readonly entries = new Map<number, ScheduleEntry[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly pendingReloads = new Map<number, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** Loads every repo's schedules and arms the timer; follows pushes to default branches from then on. */
  async start(): Promise<void> {
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.type !== "push.received") return;
      const [owner, name] = event.repo.split("/");
      this.options.store.repos.findRepo(owner ?? "", name ?? "").then(
        (repo) => {
          if (repo && event.ref === `refs/heads/${repo.defaultBranch}`) this.reloadSoon(repo.id);
        },
        (error: unknown) => this.options.log(`schedules of ${event.repo}: ${describeError(error)}`),
      );
    });
    for (const repo of await this.options.store.repos.listRepos()) await this.reload(repo.id);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    for (const pending of this.pendingReloads.values()) clearTimeout(pending);
    this.pendingReloads.clear();
  }

  private reloadSoon(repoId: number): void {
    clearTimeout(this.pendingReloads.get(repoId));
    const timer = setTimeout(() => {
      this.pendingReloads.delete(repoId);
      void this.reload(repoId);
    }, reloadDelayMs);
    timer.unref();
    this.pendingReloads.set(repoId, timer);
  }

  /** The schedules known now, for tests and the API. */
  list(): ScheduleEntry[] {
    return [...this.entries.values()].flat().map((entry) => ({ ...entry }));
  }

  /** Re-reads one repo's schedules at the head of its default branch (a deleted repo loses them). */
  reload(repoId: number): Promise<void> {
    return this.serially(async () => {
      const found = await this.schedulesOf(repoId).catch((error: unknown) => {
        this.options.log(`schedules of repo ${repoId}: ${describeError(error)}`);
        return [];
      });
      if (found.length > 0) this.entries.set(repoId, found);
      else this.entries.delete(repoId);
      this.arm();
    });
  }

  /** Fires every entry that is due at the clock's time; returns the runs it started. */
  tick(): Promise<RunRecord[]> {
    return this.serially(async () => {
      const now = this.options.clock.now();
      const due = this.list().filter((entry) => entry.next <= now);
      // Advance before dispatching, so an entry never fires twice for one due time.
      for (const entry of this.entries.values()) for (const e of entry) if (e.next <= now) e.next = nextCronRun(e.cron, new Date(now)).getTime();
      const runs: RunRecord[] = [];
      for (const entry of due) runs.push(...(await this.fire(entry)));
      this.arm();
      return runs;
    });
  }

  private async fire(entry: ScheduleEntry): Promise<RunRecord[]> {
    try {
      const repo = await this.options.store.repos.getRepo(entry.repoId);
      if (!repo) return [];
      const ref = `refs/heads/${repo.defaultBranch}`;
      const sha = await headOf(this.options.repoPath(repo), ref);
      if (!sha) return [];
      const repository = repositoryPayload(repo);
      const event: TriggerEvent = { name: "schedule", ref, sha, schedule: entry.cron, actor: "scheduler", repository: repo.fullName, payload: { schedule: entry.cron, repository } };
      return await this.options.dispatcher.dispatch(repo, event, (workflow) => workflow.file === entry.workflowFile);
    } catch (error) {
      this.options.log(`schedule '${entry.cron}' of ${entry.workflowFile} (repo ${entry.repoId}): ${describeError(error)}`);
      return [];
    }
  }

  private async schedulesOf(repoId: number): Promise<ScheduleEntry[]> {
    const repo = await this.options.store.repos.getRepo(repoId);
    if (!repo) return [];
    const repoPath = this.options.repoPath(repo);
    const sha = await headOf(repoPath, `refs/heads/${repo.defaultBranch}`);
    if (!sha) return [];
    const now = new Date(this.options.clock.now());
    const entries: ScheduleEntry[] = [];
    for (const workflow of (await loadWorkflowsAtCommit(repoPath, sha)).workflows) {
      for (const { cron } of workflow.on.schedule ?? []) {
        try {
          entries.push({ repoId, workflowFile: workflow.file, cron, next: nextCronRun(cron, now).getTime() });
        } catch (error) {
          this.options.log(`${repo.fullName} ${workflow.file}: ${describeError(error)}`);
        }
      }
    }
    return entries;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const next = Math.min(...this.list().map((entry) => entry.next));
    if (!Number.isFinite(next)) return;
    const delay = Math.max(0, Math.min(maxSleepMs, next - this.options.clock.now()));
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

async function headOf(repoPath: string, ref: string): Promise<string | undefined> {
  return (await gitMaybe(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repoPath))?.trim() || undefined;
}
