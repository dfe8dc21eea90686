/** Store suite cases for log chunks: seq assignment, ordered reads and paging through large logs. */

import { expect, it, vi } from "vitest";
import type { LogChunk } from "../../src/store/index";
import { createRunWithJob, type StoreTestContext } from "./store-fixtures";

export function describeLogCases(ctx: StoreTestContext): void {
  it("appends chunks with per-job seqs and reads them in order after a cursor", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "logs");
    const { jobId: otherJobId } = await createRunWithJob(ctx.store, "logs-other");
    const first = await ctx.store.logs.append(jobId, null, "Set up job\n");
    await ctx.store.logs.append(otherJobId, 1, "elsewhere\n");
    const second = await ctx.store.logs.append(jobId, 1, "npm ci\n");
    const third = await ctx.store.logs.append(jobId, 1, "done\n");
    expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);
    expect(second).toMatchObject({ jobId, stepNumber: 1, content: "npm ci\n", createdAt: ctx.clock.now() });

    const all = await ctx.store.logs.read(jobId);
    expect(all.map((chunk) => chunk.content).join("")).toBe("Set up job\nnpm ci\ndone\n");
    expect((await ctx.store.logs.read(jobId, { afterSeq: 1, limit: 1 })).map((c) => c.seq)).toEqual([2]);
    expect(await ctx.store.logs.read(jobId, { afterSeq: 3 })).toEqual([]);
  });

  it("gives concurrent appends to one job distinct, gap-free seqs", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "logs-concurrent");
    const appended = await Promise.all(Array.from({ length: 30 }, (_, i) => ctx.store.logs.append(jobId, 1, `line ${i}\n`)));
    expect(appended.map((chunk) => chunk.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it("stores NUL characters as U+FFFD and refuses chunks for a missing job", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "logs-nul");
    expect((await ctx.store.logs.append(jobId, 1, "a\u0000b")).content).toBe("a\uFFFDb");
    await expect(ctx.store.logs.append(999_999_999, 1, "x")).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
  });

  it("pages through 1,000 chunks with readAll, a page at a time, in order", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "logs-paging");
    for (let i = 1; i <= 1_000; i += 1) await ctx.store.logs.append(jobId, Math.ceil(i / 250), `chunk ${i}\n`);
    const read = vi.spyOn(ctx.store.logs, "read");
    try {
      const seen: LogChunk[] = [];
      for await (const chunk of ctx.store.logs.readAll(jobId, 64)) seen.push(chunk);
      expect(seen.map((chunk) => chunk.seq)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
      expect(seen[999]).toMatchObject({ content: "chunk 1000\n", stepNumber: 4 });
      expect(read).toHaveBeenCalledTimes(Math.ceil(1_000 / 64));
      for (const [, options] of read.mock.calls) expect(options?.limit).toBe(64);
    } finally {
      read.mockRestore();
    }
  });
}
