/** Store suite cases for BufferedLogWriter: batching, step and time flushes, ordering, bounded memory. */

import { createHash } from "node:crypto";
import { expect, it } from "vitest";
import { BufferedLogWriter, type LogChunk } from "../../src/store/index";
import { createRunWithJob, type StoreTestContext } from "./store-fixtures";

const MiB = 1024 * 1024;

async function chunksOf(ctx: StoreTestContext, jobId: number): Promise<LogChunk[]> {
  const chunks: LogChunk[] = [];
  for await (const chunk of ctx.store.logs.readAll(jobId)) chunks.push(chunk);
  return chunks;
}

export function describeLogWriterCases(ctx: StoreTestContext): void {
  it("buffers small writes into one chunk and starts a new chunk when the step changes", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "writer-steps");
    const writer = new BufferedLogWriter({ logs: ctx.store.logs, jobId, maxDelayMs: 60_000 });
    await writer.write(null, "Set up job\n");
    await writer.write(1, "a\n");
    await writer.write(1, "b\n");
    expect((await ctx.store.logs.read(jobId)).map((chunk) => chunk.content)).toEqual(["Set up job\n"]);
    await writer.write(2, "c\n");
    await writer.flush();
    await writer.flush();
    const chunks = await ctx.store.logs.read(jobId);
    expect(chunks.map((chunk) => [chunk.stepNumber, chunk.content])).toEqual([[null, "Set up job\n"], [1, "a\nb\n"], [2, "c\n"]]);
  });

  it("cuts chunks at maxBytes on UTF-8 character boundaries", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "writer-utf8");
    const writer = new BufferedLogWriter({ logs: ctx.store.logs, jobId, maxBytes: 10, maxDelayMs: 60_000 });
    const text = "héllo wörld ✓ 🚀 done — ok\n".repeat(5);
    for (const piece of text.match(/.{1,7}/gsu) ?? []) await writer.write(1, piece);
    await writer.flush();
    const chunks = await chunksOf(ctx, jobId);
    expect(chunks.map((chunk) => chunk.content).join("")).toBe(text);
    for (const chunk of chunks) {
      expect(Buffer.byteLength(chunk.content)).toBeLessThanOrEqual(10);
      expect(chunk.content).not.toContain("\uFFFD");
    }
  });

  it("stores buffered output once maxDelayMs has passed, without a flush", async () => {
    const { jobId } = await createRunWithJob(ctx.store, "writer-delay");
    const writer = new BufferedLogWriter({ logs: ctx.store.logs, jobId, maxDelayMs: 20 });
    await writer.write(1, "tick\n");
    await expect.poll(async () => (await ctx.store.logs.read(jobId)).map((c) => c.content), { timeout: 5_000 }).toEqual(["tick\n"]);
  });

  it("rejects this and every later write once storing a chunk fails", async () => {
    const writer = new BufferedLogWriter({ logs: ctx.store.logs, jobId: 999_999_999, maxBytes: 8 });
    await expect(writer.write(1, "more than eight bytes")).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
    await expect(writer.write(1, "x")).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
    await expect(writer.flush()).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
  });

  it("stores 100 MB written quickly, every byte in order, with bounded memory", { timeout: 300_000 }, async () => {
    const { jobId } = await createRunWithJob(ctx.store, "writer-100mb");
    const writer = new BufferedLogWriter({ logs: ctx.store.logs, jobId });
    const pieces = outputPieces();
    const written = createHash("sha256");
    let writtenBytes = 0;
    const baselineRss = process.memoryUsage.rss();
    let peakRss = baselineRss;
    let step = 1;
    for (let i = 0; writtenBytes < 100 * MiB; i += 1) {
      const piece = pieces[(i * 7919) % pieces.length];
      if (writtenBytes > step * 30 * MiB) step += 1;
      // A fresh string per write, as a child's stdout delivers them, so nothing is shared with the pool.
      await writer.write(step, piece.toString("utf8"));
      written.update(piece);
      writtenBytes += piece.length;
      if (i % 64 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    await writer.flush();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    expect(peakRss - baselineRss).toBeLessThan(100 * MiB);

    const stored = createHash("sha256");
    let storedBytes = 0;
    let expectedSeq = 1;
    for await (const chunk of ctx.store.logs.readAll(jobId)) {
      expect(chunk.seq).toBe(expectedSeq++);
      stored.update(chunk.content);
      const bytes = Buffer.byteLength(chunk.content);
      expect(bytes).toBeLessThanOrEqual(64 * 1024);
      storedBytes += bytes;
    }
    expect(storedBytes).toBe(writtenBytes);
    expect(stored.digest("hex")).toBe(written.digest("hex"));
  });
}

/** Output like a noisy build: lines of varied length, multi-byte characters, pieces from 40 B to 300 KB. */
function outputPieces(): Buffer[] {
  const pieces: Buffer[] = [];
  for (let i = 0; i < 61; i += 1) {
    const lineCount = i % 10 === 0 ? 4_000 : (i % 5) * 40 + 1;
    const lines: string[] = [];
    for (let line = 0; line < lineCount; line += 1) {
      lines.push(`[${i}:${line}] compiling módulo ${"x".repeat((line * 13 + i) % 60)} ✓ ${line % 9 === 0 ? "🚀" : ""}\n`);
    }
    pieces.push(Buffer.from(lines.join(""), "utf8"));
  }
  return pieces;
}
