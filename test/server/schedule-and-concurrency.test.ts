/**
 * Runs that no push starts directly, and runs that affect each other: `on: schedule` crons of the
 * default branch fired in UTC by the server's scheduler (driven by a manual clock), and `concurrency`
 * groups with cancel-in-progress across the runs of two quick pushes, scoped to one repository.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock";
import type { ServerEvent } from "../../src/server/services/server-events";
import type { LogChunk, RunRecord, RunWithJobs } from "../../src/store";
import { startTestServer, waitUntil, workflowYaml, type TestServer, type WorkingCopy } from "../support/server";

const clock = new ManualClock(Date.UTC(2030, 0, 1, 0, 0, 30));
let t: TestServer;
const seen: ServerEvent[] = [];

const runsOf = async (repo: string): Promise<RunRecord[]> => (await t.admin.api<RunRecord[]>("GET", `/repos/${repo}/runs?limit=500`)).body;

async function logsOf(runId: number): Promise<string> {
  const run = (await t.admin.api<RunWithJobs>("GET", `/runs/${runId}`)).body;
  const chunks = await Promise.all(run.jobs.map(async (job) => (await t.admin.api<LogChunk[]>("GET", `/runs/${runId}/jobs/${job.id}/logs?limit=1000`)).body));
  return chunks.flat().map((c) => c.content).join("");
}

async function completed(runIds: number[]): Promise<RunRecord[]> {
  await t.server.context.dispatcher.settled(runIds);
  return Promise.all(runIds.map(async (id) => (await t.admin.api<RunRecord>("GET", `/runs/${id}`)).body));
}

beforeAll(async () => {
  t = await startTestServer({ clock });
  t.server.context.events.subscribe((event) => seen.push(event));
});

afterAll(async () => {
  await t?.stop();
});

describe("schedule triggers", () => {
  const repo = "admin/cron";
  const scheduler = () => t.server.context.scheduler;
  const schedules = () => scheduler().list().map((e) => `${e.workflowFile} ${e.cron} ${new Date(e.next).toISOString()}`).sort();
  let work: WorkingCopy;
  let mainSha: string;

  beforeAll(async () => {
    expect((await t.admin.api("POST", "/repos", { name: repo })).status).toBe(201);
    work = await t.workingCopy(repo, t.admin.token, "cron");
    mainSha = await work.commit("ci: schedules", {
      ".slipway/workflows/quarter.yml": workflowYaml(`\n  schedule:\n    - cron: "*/15 * * * *"`, ['echo "fired by ${{ github.event.schedule }} on ${{ github.ref }}"']),
      ".slipway/workflows/nightly.yml": workflowYaml(`\n  schedule:\n    - cron: "0 3 * * *"\n  workflow_dispatch:`, ["echo nightly"]),
      ".slipway/workflows/on-push.yml": workflowYaml("push", ["echo pushed"]),
    });
    await work.ok("push", "-q", "origin", "main");
    await waitUntil("the schedules of main", async () => (scheduler().list().length === 2 ? true : undefined));
  });

  it("computes each cron's next fire time in UTC from the default branch", () => {
    expect(schedules()).toEqual([
      ".slipway/workflows/nightly.yml 0 3 * * * 2030-01-01T03:00:00.000Z",
      ".slipway/workflows/quarter.yml */15 * * * * 2030-01-01T00:15:00.000Z",
    ]);
  });

  it("fires a due schedule once, as a `schedule` event on the default branch head", async () => {
    expect(await scheduler().tick()).toEqual([]);
    clock.set(Date.UTC(2030, 0, 1, 0, 15, 0));
    const runs = await scheduler().tick();
    expect(runs.map((r) => [r.workflowFile, r.event, r.ref, r.sha])).toEqual([[".slipway/workflows/quarter.yml", "schedule", "refs/heads/main", mainSha]]);
    expect(await scheduler().tick()).toEqual([]);
    const [run] = await completed(runs.map((r) => r.id));
    expect(run?.conclusion).toBe("success");
    expect(await logsOf(runs[0]!.id)).toContain("fired by */15 * * * * on refs/heads/main");
  });

  it("fires a late schedule once, not once per missed time, and the others due with it", async () => {
    clock.set(Date.UTC(2030, 0, 1, 3, 0, 0));
    const runs = await scheduler().tick();
    expect(runs.map((r) => r.workflowFile).sort()).toEqual([".slipway/workflows/nightly.yml", ".slipway/workflows/quarter.yml"]);
    await completed(runs.map((r) => r.id));
    expect(schedules()).toEqual([
      ".slipway/workflows/nightly.yml 0 3 * * * 2030-01-02T03:00:00.000Z",
      ".slipway/workflows/quarter.yml */15 * * * * 2030-01-01T03:15:00.000Z",
    ]);
  });

  it("reloads after a push to the default branch, and ignores schedules on other branches", async () => {
    await work.ok("checkout", "-q", "-b", "feature/more");
    await work.commit("ci: every minute on a branch", { ".slipway/workflows/minute.yml": workflowYaml(`\n  schedule:\n    - cron: "* * * * *"`, ["echo minute"]) });
    await work.ok("push", "-q", "origin", "feature/more");
    await waitUntil("the branch push", async () => (seen.some((e) => e.type === "push.received" && e.ref === "refs/heads/feature/more") ? true : undefined));
    await t.server.context.scheduler.reload((await t.server.context.store.repos.findRepo("admin", "cron"))!.id);
    expect(scheduler().list()).toHaveLength(2);

    await work.ok("checkout", "-q", "main");
    await work.ok("rm", "-q", ".slipway/workflows/quarter.yml");
    await work.commit("ci: no more quarter-hourly runs");
    await work.ok("push", "-q", "origin", "main");
    await waitUntil("the reload", async () => (scheduler().list().length === 1 ? true : undefined));
    expect(schedules()).toEqual([".slipway/workflows/nightly.yml 0 3 * * * 2030-01-02T03:00:00.000Z"]);
    clock.set(Date.UTC(2030, 0, 1, 3, 15, 0));
    expect(await scheduler().tick()).toEqual([]);
  });

  it("forgets the schedules of a deleted repository", async () => {
    expect((await t.admin.api("DELETE", `/repos/${repo}`)).status).toBe(204);
    expect(scheduler().list()).toEqual([]);
  });
});

describe("schedule triggers on the server's own timer", () => {
  it("fires without anyone calling tick(), when the clock reaches the cron time", async () => {
    // A clock shifted so that a minute boundary comes 5 s from now: the armed timer must fire by itself.
    const boundaryIn = 5_000;
    const real = Date.now();
    const offset = Math.ceil((real + boundaryIn) / 60_000) * 60_000 - (real + boundaryIn);
    const own = await startTestServer({ clock: { now: () => Date.now() + offset } });
    try {
      expect((await own.admin.api("POST", "/repos", { name: "admin/timer" })).status).toBe(201);
      const work = await own.workingCopy("admin/timer", own.admin.token, "timer");
      await work.commit("ci: every minute", { ".slipway/workflows/minute.yml": workflowYaml(`\n  schedule:\n    - cron: "* * * * *"`, ["echo tick"]) });
      await work.ok("push", "-q", "origin", "main");
      await waitUntil("the schedule to load", async () => (own.server.context.scheduler.list().length === 1 ? true : undefined));
      expect(own.server.context.scheduler.list()[0]!.next - (Date.now() + offset)).toBeLessThan(boundaryIn);
      const run = await waitUntil("the scheduled run", async () => (await own.admin.api<RunRecord[]>("GET", "/repos/admin/timer/runs")).body.find((r) => r.event === "schedule"), 15_000);
      expect(run.ref).toBe("refs/heads/main");
    } finally {
      await own.stop();
    }
  });
});

describe("concurrency groups across runs", () => {
  const deployWorkflow = workflowYaml("push", ['echo "deploying $GITHUB_SHA"; sleep 3'], "concurrency:\n  group: deploy\n  cancel-in-progress: true\n");

  const stepStarted = (repo: string, sha: string): Promise<RunRecord> =>
    waitUntil(`a step of ${repo}@${sha.slice(0, 7)} to start`, async () => {
      const run = (await runsOf(repo)).find((r) => r.sha === sha);
      return run && seen.some((e) => e.type === "step.started" && e.runId === run.id) ? run : undefined;
    });

  it("cancels the first run when a second push enters the group, and runs the second; another repo's group of the same name is left alone", async () => {
    const repo = "admin/deploy";
    const other = "admin/deploy-other";
    for (const name of [repo, other]) expect((await t.admin.api("POST", "/repos", { name })).status).toBe(201);
    const work = await t.workingCopy(repo, t.admin.token, "deploy");
    const otherWork = await t.workingCopy(other, t.admin.token, "deploy-other");

    const first = await work.commit("feat: one", { ".slipway/workflows/deploy.yml": deployWorkflow });
    await work.ok("push", "-q", "origin", "main");
    const firstRun = await stepStarted(repo, first);

    const otherSha = await otherWork.commit("feat: elsewhere", { ".slipway/workflows/deploy.yml": deployWorkflow });
    await otherWork.ok("push", "-q", "origin", "main");
    const otherRun = await stepStarted(other, otherSha);

    const second = await work.commit("feat: two");
    await work.ok("push", "-q", "origin", "main");
    const secondRun = await waitUntil("the second run", async () => (await runsOf(repo)).find((r) => r.sha === second));

    const [a, b, c] = await completed([firstRun.id, secondRun.id, otherRun.id]);
    expect(a).toMatchObject({ sha: first, status: "completed", conclusion: "cancelled" });
    expect(b).toMatchObject({ sha: second, status: "completed", conclusion: "success" });
    expect(c).toMatchObject({ sha: otherSha, status: "completed", conclusion: "success" });
    expect(await logsOf(firstRun.id)).toContain(`deploying ${first}`);
  });
});
