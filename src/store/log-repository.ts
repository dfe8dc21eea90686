/** Job logs as ordered chunks: append assigns a per-job seq, reads page through by seq. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { Database, LogChunksTable } from "./schema";
import { inTransaction, storeOperation } from "./store-operation";

export interface LogChunk {
  id: number;
  jobId: number;
  /** null for output that belongs to the job rather than a step (set-up, tear-down). */
  stepNumber: number | null;
  /** 1, 2, 3… per job, in append order. */
  seq: number;
  content: string;
  createdAt: number;
}

export interface LogReadOptions {
  /** Only chunks with a larger seq: the cursor for tailing. */
  afterSeq?: number;
  /** Defaults to 1,000 chunks. */
  limit?: number;
}

export interface LogRepository {
  /** Appends a chunk; NUL characters become U+FFFD (Postgres text cannot hold them). */
  append(jobId: number, stepNumber: number | null, content: string): Promise<LogChunk>;
  read(jobId: number, options?: LogReadOptions): Promise<LogChunk[]>;
  /** Every chunk in seq order, fetched a page at a time so a huge log never sits in memory at once. */
  readAll(jobId: number, pageSize?: number): AsyncIterable<LogChunk>;
}

const DEFAULT_READ_LIMIT = 1_000;
const DEFAULT_PAGE_SIZE = 100;
const NUL = /\u0000/g;

export class SqlLogRepository implements LogRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  append(jobId: number, stepNumber: number | null, content: string): Promise<LogChunk> {
    return storeOperation("appendLog", () =>
      inTransaction(this.db, async (trx) => {
        // Bumping the job's counter locks its row, so concurrent appends to one job get distinct seqs.
        const job = await trx
          .updateTable("jobs")
          .set((eb) => ({ last_log_seq: eb(eb.ref("last_log_seq"), "+", 1) }))
          .where("id", "=", jobId)
          .returning("last_log_seq")
          .executeTakeFirst();
        if (!job) throw new SlipwayError("JOB_NOT_FOUND", `Job ${jobId} does not exist.`);
        const row = await trx
          .insertInto("log_chunks")
          .values({
            job_id: jobId,
            step_number: stepNumber,
            seq: job.last_log_seq,
            content: content.replace(NUL, "\uFFFD"),
            created_at: this.clock.now(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toLogChunk(row);
      }),
    );
  }

  read(jobId: number, options: LogReadOptions = {}): Promise<LogChunk[]> {
    return storeOperation("readLog", async () => {
      const rows = await this.db
        .selectFrom("log_chunks")
        .selectAll()
        .where("job_id", "=", jobId)
        .where("seq", ">", options.afterSeq ?? 0)
        .orderBy("seq")
        .limit(options.limit ?? DEFAULT_READ_LIMIT)
        .execute();
      return rows.map(toLogChunk);
    });
  }

  async *readAll(jobId: number, pageSize = DEFAULT_PAGE_SIZE): AsyncIterable<LogChunk> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.read(jobId, { afterSeq, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      afterSeq = page[page.length - 1].seq;
    }
  }
}

function toLogChunk(row: Selectable<LogChunksTable>): LogChunk {
  return {
    id: row.id,
    jobId: row.job_id,
    stepNumber: row.step_number,
    seq: row.seq,
    content: row.content,
    createdAt: row.created_at,
  };
}
