/** Store suite cases for the event log and for store transactions. */

import { sql } from "kysely";
import { expect, it } from "vitest";
import { createRunWithJob, newRun, uniqueRepo, type StoreTestContext } from "./store-fixtures";

export function describeEventCases(ctx: StoreTestContext): void {
  it("appends events and lists them oldest first, filtered by type, subject and cursor", async () => {
    const subject = `run:${uniqueRepo("events")}`;
    const created = await ctx.store.events.append({ type: "run.created", subject, payload: { sha: "abc", n: [1, 2] } });
    expect(created.createdAt).toBe(ctx.clock.now());
    ctx.clock.advance(10);
    await ctx.store.events.append({ type: "run.started", subject, payload: null });
    await ctx.store.events.append({ type: "run.completed", subject, payload: { conclusion: "success" } });
    await ctx.store.events.append({ type: "run.created", subject: `${subject}-other`, payload: {} });

    const mine = await ctx.store.events.list({ subject });
    expect(mine.map((event) => event.type)).toEqual(["run.created", "run.started", "run.completed"]);
    expect(mine[0]).toEqual({ id: created.id, type: "run.created", subject, payload: { sha: "abc", n: [1, 2] }, createdAt: created.createdAt });
    const tail = await ctx.store.events.list({ subject, afterId: created.id, types: ["run.completed"] });
    expect(tail.map((event) => event.payload)).toEqual([{ conclusion: "success" }]);
    expect(await ctx.store.events.list({ afterId: created.id, limit: 2 })).toHaveLength(2);
    expect(await ctx.store.events.list({ subject, types: [] })).toEqual([]);
  });

  it("keeps every one of 100 concurrent appends, in id order", async () => {
    const subject = `burst:${uniqueRepo("events-burst")}`;
    const before = await ctx.store.events.list({ subject });
    const appended = await Promise.all(
      Array.from({ length: 100 }, (_, i) => ctx.store.events.append({ type: "burst", subject, payload: { i } })),
    );
    const listed = await ctx.store.events.list({ subject, limit: 1_000 });
    expect(before).toEqual([]);
    expect(listed.map((event) => event.id)).toEqual(appended.map((event) => event.id).sort((a, b) => a - b));
    expect(new Set(listed.map((event) => event.id)).size).toBe(100);
    expect(listed.map((event) => (event.payload as { i: number }).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it("refuses to update or delete events", async () => {
    const { id } = await ctx.store.events.append({ type: "immutable", subject: "test:append-only", payload: 1 });
    await expect(sql`update events set type = 'changed' where id = ${id}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from events where id = ${id}`.execute(ctx.store.db)).rejects.toThrow(/append-only/);
    expect((await ctx.store.events.list({ subject: "test:append-only" })).map((event) => event.type)).toEqual(["immutable"]);
  });
}

export function describeTransactionCases(ctx: StoreTestContext): void {
  it("leaves nothing behind when the transaction throws, and rethrows the caller's error", async () => {
    const repo = uniqueRepo("rollback");
    const subject = `run:${repo}`;
    const thrown = new Error("changed my mind");
    let jobId = 0;
    const attempt = ctx.store.transaction(async (tx) => {
      const run = await tx.runs.createRun(newRun(repo));
      jobId = (await tx.runs.createJob({ runId: run.id, jobId: "build", name: "build" })).id;
      await tx.runs.upsertStep(jobId, 1, { name: "Build" });
      await tx.logs.append(jobId, 1, "half a log\n");
      await tx.events.append({ type: "run.created", subject, payload: { runId: run.id } });
      throw thrown;
    });
    await expect(attempt).rejects.toBe(thrown);
    expect(await ctx.store.runs.listRuns({ repo })).toEqual([]);
    expect(await ctx.store.runs.getJob(jobId)).toBeUndefined();
    expect(await ctx.store.logs.read(jobId)).toEqual([]);
    expect(await ctx.store.events.list({ subject })).toEqual([]);
    // The run number handed out inside the rolled-back transaction is handed out again.
    expect((await ctx.store.runs.createRun(newRun(repo))).runNumber).toBe(1);
  });

  it("commits everything together when the function resolves", async () => {
    const { runId } = await ctx.store.transaction(async (tx) => createRunWithJob(tx, "commit"));
    expect((await ctx.store.runs.getRun(runId))?.jobs).toHaveLength(1);
  });
}
