/** Replica logs: a bounded ring buffer per replica in memory, appended to files under the data dir, readable and followable per workload. */

import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { LineSplitter } from "../../workflow/executors/host/line-splitter";
import type { LogLine, LogOptions, WorkloadRef } from "../runtime";

export interface LogStoreOptions {
  dataDir: string;
  /** Lines kept in memory per replica; default 2000. */
  linesPerReplica?: number;
  /** Buffers of stopped replicas kept per workload; default 10. */
  retainedReplicas?: number;
}

interface ReplicaLog {
  key: string;
  replica: string;
  lines: (LogLine & { seq: number })[];
  file: WriteStream;
  closed: boolean;
}

export interface ReplicaLogWriter {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Flushes partial lines and closes the file (the buffer stays readable). */
  close(): void;
}

function workloadKey(namespace: string, workload: WorkloadRef): string {
  return `${namespace}/${workload.kind}/${workload.name}`;
}

export class LogStore {
  private readonly logs = new Map<string, ReplicaLog[]>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();
  private seq = 0;

  constructor(private readonly options: LogStoreOptions) {}

  open(namespace: string, workload: WorkloadRef, replica: string): ReplicaLogWriter {
    const key = workloadKey(namespace, workload);
    const dir = join(this.options.dataDir, "namespaces", namespace, "logs", `${workload.kind.toLowerCase()}-${workload.name}`);
    mkdirSync(dir, { recursive: true });
    const file = createWriteStream(join(dir, `${replica}.log`), { flags: "a" });
    file.on("error", () => undefined); // a full disk must not stop the replica; the ring buffer still works
    const log: ReplicaLog = { key, replica, lines: [], file, closed: false };
    const list = this.logs.get(key) ?? [];
    list.push(log);
    this.logs.set(key, list);
    this.trim(key);
    const limit = this.options.linesPerReplica ?? 2000;
    const append = (stream: LogLine["stream"]) => (text: string) => {
      const line = { replica, stream, time: new Date().toISOString(), line: text, seq: this.seq++ };
      log.lines.push(line);
      if (log.lines.length > limit) log.lines.splice(0, log.lines.length - limit);
      if (!log.closed) log.file.write(`${line.time} ${stream} ${text}\n`);
      for (const follower of this.followers.get(key) ?? []) follower(line);
    };
    const out = new LineSplitter(append("stdout"));
    const err = new LineSplitter(append("stderr"));
    return {
      stdout: (chunk) => out.write(chunk),
      stderr: (chunk) => err.write(chunk),
      close: () => {
        out.flush();
        err.flush();
        log.closed = true;
        log.file.end();
      },
    };
  }

  /** Drops buffers of closed replicas beyond the retention count (oldest first). */
  private trim(key: string): void {
    const list = this.logs.get(key) ?? [];
    const closed = list.filter((log) => log.closed);
    const excess = closed.length - (this.options.retainedReplicas ?? 10);
    if (excess > 0) this.logs.set(key, list.filter((log) => !closed.slice(0, excess).includes(log)));
  }

  /** Forgets a workload's buffers (its files stay on disk). */
  forget(namespace: string, workload: WorkloadRef): void {
    const key = workloadKey(namespace, workload);
    for (const log of this.logs.get(key) ?? []) if (!log.closed) log.file.end();
    this.logs.delete(key);
  }

  async *read(namespace: string, workload: WorkloadRef, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const key = workloadKey(namespace, workload);
    const queue: LogLine[] = [];
    let wake: (() => void) | undefined;
    const follower = (line: LogLine): void => {
      queue.push(line);
      wake?.();
    };
    // Subscribe before the snapshot so nothing written in between is lost.
    if (options.follow) {
      const set = this.followers.get(key) ?? new Set();
      set.add(follower);
      this.followers.set(key, set);
    }
    try {
      const buffered = (this.logs.get(key) ?? []).flatMap((log) => (options.tail === undefined ? log.lines : log.lines.slice(-options.tail)));
      buffered.sort((a, b) => a.seq - b.seq);
      const lastSeq = buffered.at(-1)?.seq ?? -1;
      for (const { seq: _seq, ...line } of buffered) yield line;
      if (!options.follow) return;
      const signal = options.signal;
      const aborted = new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      while (!signal?.aborted) {
        while (queue.length > 0) {
          const next = queue.shift() as LogLine & { seq?: number };
          if (next.seq !== undefined && next.seq <= lastSeq) continue;
          const { seq: _seq, ...line } = next;
          yield line;
        }
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        wake = undefined;
      }
    } finally {
      this.followers.get(key)?.delete(follower);
    }
  }
}
