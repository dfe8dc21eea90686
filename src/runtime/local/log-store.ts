/**
 * Replica logs: each replica's stdout and stderr are files under the data dir (a detached process writes them
 * itself, so they survive a restart of slipway); the store tails them into a bounded ring buffer per replica,
 * readable and followable per workload. The files go with the buffers: a replica's when its buffer is dropped
 * (beyond `retainedReplicas` stopped ones per workload), a workload's when it is deleted. A file that grows past
 * `maxFileBytes` is rotated the way logrotate's copytruncate does it (the process keeps its descriptor, opened
 * for appending): copied to `<file>.1`, replacing the previous one, and truncated, so a replica that logs for
 * months keeps at most twice that on disk per stream. Files no replica of this store has opened (those of an
 * earlier slipway's replicas that were not adopted) are swept once untouched for an hour, at most hourly and
 * never in the store's first ten minutes (while adoption may still be opening them).
 */

import { closeSync, copyFileSync, createWriteStream, mkdirSync, openSync, readSync, statSync, truncateSync, watch, writeFileSync, type FSWatcher, type WriteStream } from "node:fs";
import { readdir, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LineSplitter } from "../../workflow/executors/host/line-splitter";
import type { LogLine, LogOptions, WorkloadRef } from "../runtime";

export interface LogStoreOptions {
  dataDir: string;
  /** Lines kept in memory per replica; default 2000. */
  linesPerReplica?: number;
  /** Buffers of stopped replicas kept per workload; default 10. */
  retainedReplicas?: number;
  /** A log file is rotated when it grows past this; default 16 MiB. */
  maxFileBytes?: number;
}

const defaultMaxFileBytes = 16 * 1024 * 1024;
const sweepDelayMs = 10 * 60 * 1000;
const sweepIntervalMs = 60 * 60 * 1000;
const sweepUnusedForMs = 60 * 60 * 1000;

type BufferedLine = LogLine & { seq: number };

interface ReplicaLog {
  key: string;
  replica: string;
  files: { stdout: string; stderr: string };
  lines: BufferedLine[];
  tails: FileTail[];
  closed: boolean;
}

export interface ReplicaLogWriter {
  /** Where the replica's output goes; a driver that can hand files to the process writes there directly. */
  readonly files: { stdout: string; stderr: string };
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** Reads what is left in the files, flushes partial lines and stops tailing (the buffer stays readable). */
  close(): void;
}

/** How much of an existing file (an adopted replica's) is read back into the buffer. */
const backfillBytes = 256 * 1024;

/** Follows one file from an offset: on change events, and on a slow poll in case an event is missed. */
class FileTail {
  private offset: number;
  private readonly splitter: LineSplitter;
  private watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;
  private appender: WriteStream | undefined;
  private scheduled = false;

  constructor(
    readonly path: string,
    emit: (line: string) => void,
    private readonly maxBytes = defaultMaxFileBytes,
  ) {
    this.splitter = new LineSplitter(emit);
    const size = (() => {
      try {
        return statSync(path).size;
      } catch {
        writeFileSync(path, "", { flag: "a" });
        return 0;
      }
    })();
    this.offset = Math.max(0, size - backfillBytes);
    let skipPartial = this.offset > 0;
    if (skipPartial) {
      // Starting mid-file: drop the cut first line.
      const original = emit;
      this.splitter = new LineSplitter((line) => (skipPartial ? (skipPartial = false) : original(line)));
    }
    try {
      // Bursts of writes coalesce into one read.
      this.watcher = watch(path, () => {
        if (this.scheduled) return;
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.catchUp();
        });
      });
      this.watcher.on("error", () => undefined);
    } catch {
      this.watcher = undefined;
    }
    this.poll = setInterval(() => this.catchUp(), 3000);
    this.poll.unref();
    this.catchUp();
  }

  /** Reads everything appended since the last read (synchronously: the lines are in the buffer when it returns). */
  catchUp(): void {
    this.readFrom(this.path);
    if (this.offset >= this.maxBytes) this.rotate();
  }

  /** Reads `path` from the offset to its end into the splitter; false when it cannot be opened. */
  private readFrom(path: string): boolean {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return false;
    }
    try {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      for (;;) {
        const read = readSync(fd, chunk, 0, chunk.length, this.offset);
        if (read <= 0) break;
        this.offset += read;
        this.splitter.write(chunk.subarray(0, read));
      }
      return true;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * copytruncate: the copy holds everything up to now (what arrived after the last read is read from it), then the
   * file is emptied and the writer's next append lands at its start. Only what is written between the copy and
   * the truncation (microseconds) is lost, as with logrotate.
   */
  private rotate(): void {
    const rotated = `${this.path}.1`;
    try {
      copyFileSync(this.path, rotated);
      if (!this.readFrom(rotated)) return; // what arrived since the last read is not in the buffer yet: keep the file
      truncateSync(this.path, 0);
      this.offset = 0;
    } catch {
      // A full disk or a vanished file: tried again on the next read.
    }
  }

  append(data: Buffer): void {
    this.appender ??= createWriteStream(this.path, { flags: "a" }).on("error", () => undefined);
    this.appender.write(data);
  }

  close(): void {
    clearInterval(this.poll);
    this.watcher?.close();
    const finish = (): void => {
      this.catchUp();
      this.splitter.flush();
    };
    if (this.appender) this.appender.end(finish);
    else finish();
  }
}

function filesWithRotated(log: ReplicaLog): string[] {
  return [log.files.stdout, log.files.stderr].flatMap((file) => [file, `${file}.1`]);
}

function workloadKey(namespace: string, workload: WorkloadRef): string {
  return `${namespace}/${workload.kind}/${workload.name}`;
}

export class LogStore {
  private readonly logs = new Map<string, ReplicaLog[]>();
  private readonly followers = new Map<string, Set<(line: LogLine) => void>>();
  private seq = 0;
  private readonly createdAt = Date.now();
  private lastSweep = 0;

  constructor(private readonly options: LogStoreOptions) {}

  /** The files of a replica: <dataDir>/namespaces/<ns>/logs/<kind>-<workload>/<replica>.{stdout,stderr}.log. */
  filesOf(namespace: string, workload: WorkloadRef, replica: string): { stdout: string; stderr: string } {
    const dir = join(this.options.dataDir, "namespaces", namespace, "logs", `${workload.kind.toLowerCase()}-${workload.name}`);
    return { stdout: join(dir, `${replica}.stdout.log`), stderr: join(dir, `${replica}.stderr.log`) };
  }

  open(namespace: string, workload: WorkloadRef, replica: string): ReplicaLogWriter {
    const key = workloadKey(namespace, workload);
    const files = this.filesOf(namespace, workload, replica);
    mkdirSync(join(files.stdout, ".."), { recursive: true });
    const log: ReplicaLog = { key, replica, files, lines: [], tails: [], closed: false };
    const list = this.logs.get(key) ?? [];
    list.push(log);
    this.logs.set(key, list);
    this.trim(key);
    this.sweepWhenDue();
    const limit = this.options.linesPerReplica ?? 2000;
    const append = (stream: LogLine["stream"]) => (text: string) => {
      const line = { replica, stream, time: new Date().toISOString(), line: text, seq: this.seq++ };
      log.lines.push(line);
      if (log.lines.length > limit) log.lines.splice(0, log.lines.length - limit);
      for (const follower of this.followers.get(key) ?? []) follower(line);
    };
    const out = new FileTail(files.stdout, append("stdout"), this.options.maxFileBytes);
    const err = new FileTail(files.stderr, append("stderr"), this.options.maxFileBytes);
    log.tails = [out, err];
    return {
      files,
      stdout: (chunk) => out.append(chunk),
      stderr: (chunk) => err.append(chunk),
      close: () => {
        if (log.closed) return;
        log.closed = true;
        out.close();
        err.close();
      },
    };
  }

  /** Drops buffers of closed replicas beyond the retention count (oldest first), and their files. */
  private trim(key: string): void {
    const list = this.logs.get(key) ?? [];
    const closed = list.filter((log) => log.closed);
    const dropped = closed.slice(0, Math.max(0, closed.length - (this.options.retainedReplicas ?? 10)));
    if (dropped.length === 0) return;
    this.logs.set(key, list.filter((log) => !dropped.includes(log)));
    for (const log of dropped) for (const file of filesWithRotated(log)) void rm(file, { force: true }).catch(() => undefined);
  }

  private sweepWhenDue(): void {
    const now = Date.now();
    if (now - this.createdAt < sweepDelayMs || now - this.lastSweep < sweepIntervalMs) return;
    this.lastSweep = now;
    void this.sweep(now - sweepUnusedForMs).catch(() => undefined);
  }

  /**
   * Removes the log files under the data dir that no replica of this store has opened and that were last written
   * before `unusedBefore` (epoch ms), then the workload directories left empty; resolves to the files removed.
   */
  async sweep(unusedBefore: number): Promise<string[]> {
    const known = new Set([...this.logs.values()].flatMap((list) => list.flatMap(filesWithRotated)));
    const removed: string[] = [];
    const namespaces = join(this.options.dataDir, "namespaces");
    for (const namespace of await readdir(namespaces).catch(() => [])) {
      const logs = join(namespaces, namespace, "logs");
      for (const workload of await readdir(logs).catch(() => [])) {
        const dir = join(logs, workload);
        for (const name of await readdir(dir).catch(() => [])) {
          const file = join(dir, name);
          if (known.has(file) || !/\.(stdout|stderr)\.log(\.1)?$/.test(name)) continue;
          const info = await stat(file).catch(() => undefined);
          if (!info?.isFile() || info.mtimeMs >= unusedBefore) continue;
          await rm(file, { force: true });
          removed.push(file);
        }
        await rmdir(dir).catch(() => undefined); // only when empty
      }
    }
    return removed;
  }

  /**
   * Forgets a deleted workload (its replicas have stopped): its buffers and the files of its replicas, then the
   * directory if nothing else is in it (a workload of the same name created meanwhile keeps its own files).
   */
  forget(namespace: string, workload: WorkloadRef): void {
    const key = workloadKey(namespace, workload);
    const logs = this.logs.get(key) ?? [];
    for (const log of logs) if (!log.closed) for (const tail of log.tails) tail.close();
    this.logs.delete(key);
    const dir = dirname(this.filesOf(namespace, workload, "_").stdout);
    void Promise.all(logs.flatMap(filesWithRotated).map((file) => rm(file, { force: true })))
      .then(() => rmdir(dir))
      .catch(() => undefined);
  }

  async *read(namespace: string, workload: WorkloadRef, options: LogOptions = {}): AsyncGenerator<LogLine> {
    const key = workloadKey(namespace, workload);
    const wanted = (line: LogLine): boolean => options.replica === undefined || line.replica === options.replica;
    const queue: LogLine[] = [];
    let wake: (() => void) | undefined;
    const follower = (line: LogLine): void => {
      if (!wanted(line)) return;
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
      const logs = (this.logs.get(key) ?? []).filter((log) => options.replica === undefined || log.replica === options.replica);
      // What the processes wrote up to now is in the buffer before it is read.
      for (const log of logs) if (!log.closed) for (const tail of log.tails) tail.catchUp();
      const buffered = logs.flatMap((log) => (options.tail === undefined ? log.lines : log.lines.slice(-options.tail)));
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
