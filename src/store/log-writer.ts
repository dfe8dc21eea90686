/** Batches one job's output into log chunks: bounded memory, ordered writes, flushed by size, step or time. */

import type { LogRepository } from "./log-repository";

export interface BufferedLogWriterOptions {
  logs: Pick<LogRepository, "append">;
  jobId: number;
  /** A chunk is stored once this many UTF-8 bytes are buffered; chunks never exceed it. Default 64 KiB. */
  maxBytes?: number;
  /** Buffered output is stored at the latest this long after it was written. Default 200 ms. */
  maxDelayMs?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024;
const DEFAULT_MAX_DELAY_MS = 200;
/** A UTF-8 character is at most 4 bytes; a smaller chunk could not always hold one. */
const MIN_MAX_BYTES = 4;

/**
 * Writes and flushes run one at a time, in call order, so chunks are stored in the order written.
 *
 * Backpressure: `write` resolves once its text is buffered and the buffer is back under `maxBytes`,
 * i.e. after any full chunks have been stored. A producer that awaits each write, for example
 * `child.stdout.setEncoding("utf8"); for await (const text of child.stdout) await writer.write(step, text)`
 * (setEncoding keeps multi-byte characters whole across reads), keeps at most
 * `maxBytes` plus one write's text in memory however fast the step prints. Writes that are not awaited
 * still run in order, but their texts wait in memory until their turn.
 *
 * Failure: when storing a chunk fails the writer stops; that write or flush, and every later one,
 * rejects with the error (a timer-driven flush reports it to the next call).
 */
export class BufferedLogWriter {
  private readonly logs: Pick<LogRepository, "append">;
  private readonly jobId: number;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;
  private parts: string[] = [];
  private bufferedBytes = 0;
  private bufferedStep: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: { error: unknown } | undefined;

  constructor(options: BufferedLogWriterOptions) {
    this.logs = options.logs;
    this.jobId = options.jobId;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < MIN_MAX_BYTES) {
      throw new RangeError(`BufferedLogWriter maxBytes must be an integer >= ${MIN_MAX_BYTES}, got ${this.maxBytes}`);
    }
  }

  /** Buffers text for a step (null: output of the job itself). See the class comment for backpressure. */
  write(stepNumber: number | null, text: string): Promise<void> {
    return this.enqueue(() => this.accept(stepNumber, text));
  }

  /** Stores whatever is buffered; resolves once everything written before it is stored. */
  flush(): Promise<void> {
    return this.enqueue(() => this.storeBuffered());
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const result = this.queue.then(() => {
      if (this.failure) throw this.failure.error;
      return task();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async accept(stepNumber: number | null, text: string): Promise<void> {
    if (text.length === 0) return;
    if (this.bufferedBytes > 0 && stepNumber !== this.bufferedStep) await this.storeBuffered();
    this.bufferedStep = stepNumber;
    this.parts.push(text);
    this.bufferedBytes += Buffer.byteLength(text, "utf8");
    if (this.bufferedBytes >= this.maxBytes) await this.storeFullChunks();
    this.armTimer();
  }

  /** Stores maxBytes-sized chunks, cut on UTF-8 character boundaries, and keeps the remainder buffered. */
  private async storeFullChunks(): Promise<void> {
    const bytes = Buffer.from(this.parts.length === 1 ? this.parts[0] : this.parts.join(""), "utf8");
    this.parts = [];
    this.bufferedBytes = 0;
    let offset = 0;
    while (bytes.length - offset >= this.maxBytes) {
      const end = characterBoundaryAtOrBefore(bytes, offset + this.maxBytes);
      await this.store(this.bufferedStep, bytes.toString("utf8", offset, end));
      offset = end;
    }
    if (offset < bytes.length) {
      this.parts = [bytes.toString("utf8", offset)];
      this.bufferedBytes = bytes.length - offset;
    }
  }

  private async storeBuffered(): Promise<void> {
    this.disarmTimer();
    if (this.bufferedBytes === 0) return;
    const text = this.parts.join("");
    this.parts = [];
    this.bufferedBytes = 0;
    await this.store(this.bufferedStep, text);
  }

  private async store(stepNumber: number | null, text: string): Promise<void> {
    try {
      await this.logs.append(this.jobId, stepNumber, text);
    } catch (error) {
      this.failure = { error };
      this.disarmTimer();
      throw error;
    }
  }

  private armTimer(): void {
    if (this.bufferedBytes === 0 || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failure here is kept in `failure` and reported by the next write or flush.
      this.flush().catch(() => undefined);
    }, this.maxDelayMs);
  }

  private disarmTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The largest index <= limit that does not fall inside a multi-byte UTF-8 sequence. */
function characterBoundaryAtOrBefore(bytes: Buffer, limit: number): number {
  let end = limit;
  // Continuation bytes look like 10xxxxxx; a character starts at the first byte that is not one.
  while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return end;
}
