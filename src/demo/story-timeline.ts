/** The story's timeline: stages with their start (from the commit) and duration, rendered like the users' seed 004 timeline. */

export interface TimelineStage {
  /** Short key: commit, push, ci, pr, review, merge, release, images, dev, staging, prod, broken, rollback. */
  stage: string;
  label: string;
  /** Milliseconds since the story's commit. */
  startMs: number;
  durationMs: number;
  detail?: string;
  ok: boolean;
}

export interface StoryResult {
  server: string;
  feature: { branch: string; commit: string; pullRequest: number; mergeCommit: string; version: string };
  stages: TimelineStage[];
  /** Commit → the new version healthy in dev, staging and prod (milliseconds). */
  commitToDevMs: number;
  commitToStagingMs: number;
  commitToProdMs: number;
  rollback: { service: string; brokenVersion: string; servingVersion: string; rolledBackTo?: string; revertCommit?: string; detectMs: number };
  approvals: string;
}

export class Timeline {
  readonly stages: TimelineStage[] = [];
  constructor(
    readonly origin: number,
    private readonly progress: (line: string) => void,
  ) {}

  /** Records a stage that ran from `start` to `end` (epoch ms). */
  add(stage: string, label: string, start: number, end: number, detail?: string, ok = true): TimelineStage {
    const entry: TimelineStage = { stage, label, startMs: Math.max(0, start - this.origin), durationMs: Math.max(0, end - start), detail, ok };
    this.stages.push(entry);
    this.progress(renderStage(entry));
    return entry;
  }

  /** Runs `work` as a stage from now until it returns. */
  async time<T>(stage: string, label: string, work: () => Promise<T>, detail?: (value: T) => string | undefined): Promise<T> {
    const start = Date.now();
    const value = await work();
    this.add(stage, label, start, Date.now(), detail?.(value));
    return value;
  }
}

export function clock(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${String(minutes).padStart(2, "0")}:${seconds.toFixed(1).padStart(4, "0")}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderStage(entry: TimelineStage): string {
  return `${clock(entry.startMs)}  ${entry.ok ? "✅" : "❌"} ${entry.label.padEnd(44)} ${seconds(entry.durationMs).padStart(7)}${entry.detail ? `   ${entry.detail}` : ""}`;
}

export function renderTimeline(result: StoryResult): string {
  const lines = [
    "",
    `⏱️  Timeline: "${result.feature.version ? `feat(auth): add two-factor authentication → auth v${result.feature.version}` : "the story"}" on ${result.server}`,
    "",
    "time     stage                                            duration",
    ...result.stages.map(renderStage),
    "",
    `Commit → healthy in dev:      ${seconds(result.commitToDevMs)}`,
    `Commit → healthy in staging:  ${seconds(result.commitToStagingMs)}  (approvals: ${result.approvals})`,
    `Commit → healthy in prod:     ${seconds(result.commitToProdMs)}`,
    `Broken ${result.rollback.service} v${result.rollback.brokenVersion}: rolled back in ${seconds(result.rollback.detectMs)}; dev still serves v${result.rollback.servingVersion}${result.rollback.revertCommit ? ` (revert commit ${result.rollback.revertCommit.slice(0, 7)})` : ""}`,
    "",
    "The users' pipeline (seed 004): ~13 minutes from commit to staging.",
    "",
  ];
  return `${lines.join("\n")}\n`;
}
