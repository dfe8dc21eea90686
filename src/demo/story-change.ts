/** One change through the users' pipeline, measured: branch, commit, push, CI, pull request, its checks, review, merge, build.yml (release, images, dev). */

import { dirname, join } from "node:path";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import type { DemoAccounts } from "./demo-accounts";
import { shopRepo } from "./demo-config";
import type { DemoWorkingCopy } from "./demo-git";
import { requireSuccess, waitForRun, type JobView, type RunView } from "./demo-wait";
import type { Timeline } from "./story-timeline";

export interface StoryChange {
  /** Directory under examples/shop/story-changes/ whose files overlay the repository. */
  files: string;
  branch: string;
  /** Conventional commit message (subject, blank line, body). */
  message: string;
  review: string;
  /** A file written with the change, different on every story run, so that a second story on the same server changes (and releases) the service again. */
  note: { path: string; text: string };
}

export interface DeliveredChange {
  commit: string;
  committedAt: number;
  pullRequest: number;
  mergeCommit: string;
  build: RunView;
  /** service → version released by the build. */
  released: Record<string, string>;
}

export interface ChangeContext {
  copy: DemoWorkingCopy;
  accounts: DemoAccounts;
  storyDir: string;
  timeline: Timeline;
  timeoutMs: number;
  /** Record every stage (the main story) or one summary stage (the broken change). */
  detailed: boolean;
  label: string;
}

function span(jobs: JobView[]): { start: number; end: number } | undefined {
  const started = jobs.map((job) => job.startedAt).filter((at): at is number => at !== null);
  const ended = jobs.map((job) => job.completedAt).filter((at): at is number => at !== null);
  return started.length > 0 && ended.length > 0 ? { start: Math.min(...started), end: Math.max(...ended) } : undefined;
}

/** Release, image and promotion stages from the build run's jobs. */
function buildStages(context: ChangeContext, build: RunView, released: Record<string, string>): void {
  const list = Object.entries(released).map(([service, version]) => `${service} v${version}`).join(", ") || "nothing";
  const stages: [string, string, string, string][] = [
    ["release", "release", "Semantic release: CHANGELOG, tag", list],
    ["images", "images", "Tests again, images vX.Y.Z + sha-… pushed", `${build.jobs.filter((job) => job.jobId === "images").length} image job(s)`],
    ["dev", "dev", "Promote to dev (env repo commit)", ""],
  ];
  for (const [stage, jobId, label, detail] of stages) {
    const jobs = build.jobs.filter((job) => job.jobId === jobId);
    const range = span(jobs);
    if (range) context.timeline.add(stage, label, range.start, range.end, detail || undefined);
  }
}

async function overlayFiles(source: string): Promise<string[]> {
  const entries = await readdir(source, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(source.length + 1));
}

export async function deliverChange(context: ChangeContext, change: StoryChange): Promise<DeliveredChange> {
  const { copy, accounts, timeline, timeoutMs, detailed } = context;
  const author = accounts.author.api;
  const started = Date.now();
  await copy.branchFrom(change.branch, "main");
  const source = join(context.storyDir, change.files);
  await mkdir(dirname(join(copy.dir, change.note.path)), { recursive: true });
  await writeFile(join(copy.dir, change.note.path), change.note.text);
  const commit = await copy.commitFrom(source, await overlayFiles(source), change.message);
  const committedAt = Date.now();
  const subject = change.message.split("\n")[0] ?? change.message;
  if (detailed) timeline.add("commit", `Commit on ${change.branch}`, started, committedAt, `${subject} (${commit.slice(0, 7)})`);
  const pushStart = Date.now();
  await copy.push(`HEAD:refs/heads/${change.branch}`);
  if (detailed) timeline.add("push", "git push → CI starts", pushStart, Date.now());

  const ci = requireSuccess(await waitForRun(author, shopRepo, "ci.yml", { sha: commit, event: "push" }, timeoutMs), `CI of ${change.branch}`);
  if (detailed) timeline.add("ci", "CI: lint, scan, tests ≥ 80 %, alpha images", ci.startedAt ?? ci.createdAt, ci.completedAt ?? Date.now(), `${ci.jobs.length} jobs green, images alpha-…-${commit.slice(0, 7)} not pushed`);

  const prStart = Date.now();
  const pr = await author.request<{ number: number }>("POST", `/repos/${shopRepo}/pulls`, { source: change.branch, title: subject, body: change.message.split("\n").slice(2).join("\n") });
  const prChecks = requireSuccess(await waitForRun(author, shopRepo, "ci.yml", { sha: commit, event: "pull_request" }, timeoutMs), `the checks of pull request #${pr.number}`);
  if (detailed) timeline.add("pr", `Pull request #${pr.number}: pre-merge checks`, prStart, prChecks.completedAt ?? Date.now(), `${prChecks.jobs.length} checks green`);

  const reviewed = Date.now();
  await accounts.reviewer.api.request("POST", `/repos/${shopRepo}/pulls/${pr.number}/reviews`, { event: "approve", body: change.review });
  if (detailed) timeline.add("review", `Review: ${accounts.reviewer.name} approves`, reviewed, Date.now(), `"${change.review}"`);

  const mergeStart = Date.now();
  const merged = await author.request<{ sha: string }>("PUT", `/repos/${shopRepo}/pulls/${pr.number}/merge`, { method: "squash" });
  if (detailed) timeline.add("merge", "Merge (squash) to main → build.yml", mergeStart, Date.now(), merged.sha.slice(0, 7));

  const build = requireSuccess(await waitForRun(author, shopRepo, "build.yml", { sha: merged.sha, event: "push" }, timeoutMs), `build.yml of ${merged.sha.slice(0, 7)}`);
  const released: Record<string, string> = {};
  for (const job of build.jobs) {
    const matrix = (job as JobView & { matrix?: { service?: unknown; version?: unknown } | null }).matrix;
    if (job.jobId === "dev" && typeof matrix?.service === "string" && typeof matrix.version === "string") released[matrix.service] = matrix.version;
  }
  if (detailed) buildStages(context, build, released);
  else timeline.add("broken", `${context.label}: CI, PR, review, merge, build`, started, build.completedAt ?? Date.now(), `${subject} → ${Object.entries(released).map(([s, v]) => `${s} v${v}`).join(", ")}`);
  return { commit, committedAt, pullRequest: pr.number, mergeCommit: merged.sha, build, released };
}
