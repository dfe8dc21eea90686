/** Store suite cases for migrations, runs, jobs, steps, annotations and crash recovery. */

import { sql } from "kysely";
import { expect, it } from "vitest";
import { SlipwayError } from "../../src/core/errors";
import { openStore } from "../../src/store/index";
import { migrationProvider } from "../../src/store/migrations/index";
import { START_TIME, createRunWithJob, newRun, uniqueRepo, type StoreTestContext } from "./store-fixtures";

export function describeMigrationCases(ctx: StoreTestContext): void {
  it("migrates once: opening the same database again keeps the data and applies nothing twice", async () => {
    const repo = uniqueRepo("reopen");
    const run = await ctx.store.runs.createRun(newRun(repo));
    const again = await ctx.reopen();
    try {
      expect((await again.runs.getRun(run.id))?.repo).toBe(repo);
      const applied = await sql<{ name: string }>`select name from slipway_migration order by name`.execute(again.db);
      expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(await migrationProvider(ctx.dialect).getMigrations()).sort());
      expect(applied.rows.map((row) => row.name)).toContain("003_releases");
    } finally {
      await again.close();
    }
  });

  it("reports a database it cannot open as STORE_FAILED", async () => {
    // A directory path below the existing database file cannot be created (and /proc trips a Node mkdir bug).
    const config =
      ctx.config.dialect === "sqlite"
        ? { dialect: "sqlite" as const, path: `${ctx.config.path}/below-a-file/store.db` }
        : { dialect: "postgres" as const, connectionString: "postgres://nobody@127.0.0.1:1/none" };
    await expect(openStore(config)).rejects.toMatchObject({ name: "SlipwayError", code: "STORE_FAILED" });
  });
}

export function describeRunCases(ctx: StoreTestContext): void {
  it("numbers 20 concurrent runs of one workflow 1..20, and each workflow and repo from 1", async () => {
    const repo = uniqueRepo("numbers");
    const runs = await Promise.all(Array.from({ length: 20 }, () => ctx.store.runs.createRun(newRun(repo))));
    expect(runs.map((run) => run.runNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const deploy = await ctx.store.runs.createRun(newRun(repo, { workflowFile: ".github/workflows/deploy.yml" }));
    const otherRepo = await ctx.store.runs.createRun(newRun(uniqueRepo("numbers-other")));
    expect([deploy.runNumber, otherRepo.runNumber]).toEqual([1, 1]);
  });

  it("creates, gets and updates a run with its jobs and steps", async () => {
    const repo = uniqueRepo("get");
    const created = await ctx.store.runs.createRun(newRun(repo));
    expect(created).toMatchObject({
      repo, runNumber: 1, status: "queued", conclusion: null, inputs: { deploy: true, target: "staging" },
      createdAt: START_TIME, startedAt: null, completedAt: null, error: null,
    });
    const job = await ctx.store.runs.createJob({
      runId: created.id, jobId: "test", jobKey: "test (20, linux)", name: "test (20, linux)",
      matrix: { node: 20, os: "linux" }, needs: ["build"], environment: "staging",
    });
    expect(job).toMatchObject({ jobKey: "test (20, linux)", matrix: { node: 20, os: "linux" }, needs: ["build"], outputs: {} });
    const plain = await ctx.store.runs.createJob({ runId: created.id, jobId: "build", name: "build" });
    expect(plain).toMatchObject({ jobKey: "build", matrix: null, needs: [], environment: null });

    const started = START_TIME + 1_000;
    const updated = await ctx.store.runs.updateRun(created.id, { status: "in_progress", startedAt: started });
    expect(updated).toMatchObject({ status: "in_progress", startedAt: started, conclusion: null });
    await ctx.store.runs.updateJob(job.id, { status: "completed", conclusion: "success", outputs: { version: "1.2.3" } });
    await ctx.store.runs.upsertStep(job.id, 2, { name: "Test", status: "queued" });
    await ctx.store.runs.upsertStep(job.id, 1, { name: "Checkout", status: "completed", conclusion: "success" });

    const run = await ctx.store.runs.getRun(created.id);
    expect(run?.jobs.map((j) => j.jobKey)).toEqual(["test (20, linux)", "build"]);
    expect(run?.jobs[0]).toMatchObject({ status: "completed", conclusion: "success", outputs: { version: "1.2.3" } });
    expect(run?.jobs[0].steps.map((step) => [step.number, step.name])).toEqual([[1, "Checkout"], [2, "Test"]]);
    expect(run?.jobs[1].steps).toEqual([]);
    expect(await ctx.store.runs.getJob(plain.id)).toEqual(plain);
    expect(await ctx.store.runs.getRun(999_999_999)).toBeUndefined();
  });

  it("rejects updates of missing runs and jobs, and duplicate job keys", async () => {
    await expect(ctx.store.runs.updateRun(999_999_999, { status: "completed" })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(ctx.store.runs.updateJob(999_999_999, { status: "completed" })).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
    const { runId } = await createRunWithJob(ctx.store, "dup-key");
    const duplicate = ctx.store.runs.createJob({ runId, jobId: "build", name: "build again" });
    await expect(duplicate).rejects.toBeInstanceOf(SlipwayError);
    await expect(duplicate).rejects.toMatchObject({ code: "STORE_FAILED" });
  });

  it("lists runs newest first, filtered and paged with beforeId", async () => {
    const repo = uniqueRepo("list");
    const ids: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const workflowFile = i % 2 === 0 ? ".github/workflows/ci.yml" : ".github/workflows/deploy.yml";
      ids.push((await ctx.store.runs.createRun(newRun(repo, { workflowFile }))).id);
    }
    await ctx.store.runs.updateRun(ids[3], { status: "completed", conclusion: "success" });
    await ctx.store.runs.createRun(newRun(uniqueRepo("list-other")));

    const all = await ctx.store.runs.listRuns({ repo });
    expect(all.map((run) => run.id)).toEqual([...ids].reverse());
    const firstPage = await ctx.store.runs.listRuns({ repo, limit: 3 });
    const secondPage = await ctx.store.runs.listRuns({ repo, limit: 3, beforeId: firstPage[2].id });
    expect([...firstPage, ...secondPage].map((run) => run.id)).toEqual([...ids].reverse().slice(0, 6));
    const deploys = await ctx.store.runs.listRuns({ repo, workflowFile: ".github/workflows/deploy.yml" });
    expect(deploys.map((run) => run.runNumber)).toEqual([3, 2, 1]);
    expect((await ctx.store.runs.listRuns({ repo, status: "completed" })).map((run) => run.id)).toEqual([ids[3]]);
    expect(await ctx.store.runs.listRuns({ repo, status: ["queued", "in_progress"] })).toHaveLength(6);
  });

  it("upserts steps: creates once, then changes only the patched fields", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "steps");
    const created = await ctx.store.runs.upsertStep(jobId, 1, { name: "Build", status: "in_progress", startedAt: START_TIME });
    const updated = await ctx.store.runs.upsertStep(jobId, 1, {
      status: "completed", conclusion: "success", outcome: "failure", outputs: { digest: "sha256:abc" },
    });
    expect(updated).toEqual({
      ...created, status: "completed", conclusion: "success", outcome: "failure", outputs: { digest: "sha256:abc" },
    });
    expect(await ctx.store.runs.upsertStep(jobId, 1, {})).toEqual(updated);
    const concurrent = await Promise.all([2, 2, 2].map((n, i) => ctx.store.runs.upsertStep(jobId, n, { name: `try ${i}` })));
    expect(new Set(concurrent.map((step) => step.id)).size).toBe(1);
  });

  it("records annotations per job", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "annotations");
    await ctx.store.runs.addAnnotation({ jobId, stepNumber: 2, level: "error", message: "boom", file: "src/a.ts", line: 3, col: 7 });
    await ctx.store.runs.addAnnotation({ jobId, level: "notice", message: "fyi" });
    const annotations = await ctx.store.runs.listAnnotations(jobId);
    expect(annotations.map(({ id: _id, createdAt: _at, ...rest }) => rest)).toEqual([
      { jobId, stepNumber: 2, level: "error", message: "boom", file: "src/a.ts", line: 3, col: 7 },
      { jobId, stepNumber: null, level: "notice", message: "fyi", file: null, line: null, col: null },
    ]);
  });

  it("fails unfinished runs, jobs and steps after a crash and leaves finished and waiting ones", async () => {
    const repo = uniqueRepo("recovery");
    const running = await ctx.store.runs.createRun(newRun(repo, { status: "in_progress" }));
    const queued = await ctx.store.runs.createRun(newRun(repo));
    const waiting = await ctx.store.runs.createRun(newRun(repo, { status: "waiting" }));
    const done = await ctx.store.runs.createRun(newRun(repo));
    await ctx.store.runs.updateRun(done.id, { status: "completed", conclusion: "success" });
    const job = await ctx.store.runs.createJob({ runId: running.id, jobId: "build", name: "build", status: "in_progress" });
    const finishedJob = await ctx.store.runs.createJob({ runId: running.id, jobId: "lint", name: "lint" });
    await ctx.store.runs.updateJob(finishedJob.id, { status: "completed", conclusion: "success" });
    await ctx.store.runs.upsertStep(job.id, 1, { name: "Checkout", status: "completed", conclusion: "success", outcome: "success" });
    await ctx.store.runs.upsertStep(job.id, 2, { name: "Build", status: "in_progress" });
    await ctx.store.runs.upsertStep(job.id, 3, { name: "Push" });

    ctx.clock.advance(5_000);
    const failedIds = await ctx.store.runs.markUnfinishedRunsFailed("slipway restarted while the run was in progress");
    expect(failedIds).toEqual(expect.arrayContaining([running.id, queued.id]));
    expect(failedIds).not.toContain(waiting.id);
    expect(failedIds).not.toContain(done.id);

    const recovered = await ctx.store.runs.getRun(running.id);
    expect(recovered).toMatchObject({
      status: "completed", conclusion: "failure", error: "slipway restarted while the run was in progress",
      completedAt: ctx.clock.now(),
    });
    const [build, lint] = recovered?.jobs ?? [];
    expect(build).toMatchObject({ status: "completed", conclusion: "failure", error: "slipway restarted while the run was in progress" });
    expect(lint).toMatchObject({ conclusion: "success", error: null });
    expect(build.steps.map((step) => [step.status, step.conclusion])).toEqual([
      ["completed", "success"], ["completed", "failure"], ["completed", "failure"],
    ]);
    expect((await ctx.store.runs.getRun(waiting.id))?.status).toBe("waiting");
    expect((await ctx.store.runs.getRun(done.id))?.conclusion).toBe("success");
    expect(await ctx.store.runs.markUnfinishedRunsFailed("again")).toEqual([]);
  });
}
