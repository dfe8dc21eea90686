/** Blob uploads in progress (`<dir>/uploads/<id>`): chunks appended in order, hashed as they arrive, committed by digest. */

import { createHash, randomUUID, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore, WrittenBlob } from "./blob-store";
import { DigestingStream, digestOfHash } from "./digest";
import { writeFileDurably } from "./durable-file";
import { OciError } from "./oci-error";

export interface UploadSession {
  id: string;
  repository: string;
  /** Bytes received so far. */
  size: number;
  startedAt: number;
}

interface LiveHash {
  hash: Hash;
  size: number;
}

const idPattern = /^[a-f0-9-]{36}$/;

export class UploadSessions {
  private readonly dir: string;
  /** Running hashes, so finishing a 200 MB upload does not read it again; rebuilt from the file after a restart. */
  private readonly hashes = new Map<string, LiveHash>();
  private readonly busy = new Set<string>();

  constructor(private readonly blobs: BlobStore, root: string) {
    this.dir = join(root, "uploads");
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async start(repository: string): Promise<UploadSession> {
    const id = randomUUID();
    const startedAt = Date.now();
    await mkdir(join(this.dir, id));
    await writeFileDurably(join(this.dir, id, "info.json"), JSON.stringify({ repository, startedAt }));
    await writeFileDurably(join(this.dir, id, "data"), "");
    this.hashes.set(id, { hash: createHash("sha256"), size: 0 });
    return { id, repository, size: 0, startedAt };
  }

  async get(id: string, repository: string): Promise<UploadSession> {
    const unknown = new OciError("BLOB_UPLOAD_UNKNOWN", `blob upload unknown to registry: ${id}`);
    if (!idPattern.test(id)) throw unknown;
    const info = await readFile(join(this.dir, id, "info.json"), "utf8").then((text) => JSON.parse(text) as { repository: string; startedAt: number }, () => undefined);
    if (!info || info.repository !== repository) throw unknown;
    const data = await stat(join(this.dir, id, "data")).catch(() => undefined);
    if (!data) throw unknown;
    return { id, repository, size: data.size, startedAt: info.startedAt };
  }

  /** Appends a chunk that must start at `start` (when given); 416 when it does not continue the upload. */
  async append(session: UploadSession, source: Readable, options: { start?: number; maxSize?: number } = {}): Promise<number> {
    if (this.busy.has(session.id)) throw new OciError("BLOB_UPLOAD_INVALID", "another chunk of this upload is still being received", { status: 416 });
    if (options.start !== undefined && options.start !== session.size) {
      throw new OciError("BLOB_UPLOAD_INVALID", `chunk starts at ${options.start} but the upload has ${session.size} bytes`, { status: 416, detail: { size: session.size } });
    }
    this.busy.add(session.id);
    try {
      const live = await this.liveHash(session.id);
      const digesting = new DigestingStream();
      const limit = options.maxSize;
      digesting.on("data", (chunk: Buffer) => {
        live.hash.update(chunk);
        if (limit !== undefined && live.size + digesting.size > limit) {
          digesting.destroy(new OciError("SIZE_INVALID", `upload exceeds the maximum size of ${limit} bytes`, { status: 413 }));
        }
      });
      try {
        await pipeline(source, digesting, createWriteStream(join(this.dir, session.id, "data"), { flags: "a" }));
      } catch (error) {
        // A partial chunk leaves the file and hash out of step: the session cannot continue safely.
        this.hashes.delete(session.id);
        await this.cancel(session.id);
        throw error;
      }
      live.size += digesting.size;
      session.size = live.size;
      return live.size;
    } finally {
      this.busy.delete(session.id);
    }
  }

  /** Commits the upload as a blob if its content has `digest`; the session ends either way on a digest mismatch. */
  async finish(session: UploadSession, digest: string): Promise<WrittenBlob> {
    const live = await this.liveHash(session.id);
    const actual = digestOfHash(live.hash.copy());
    try {
      return await this.blobs.commitFile(join(this.dir, session.id, "data"), actual, live.size, { digest });
    } finally {
      await this.cancel(session.id);
    }
  }

  async cancel(id: string): Promise<void> {
    this.hashes.delete(id);
    if (idPattern.test(id)) await rm(join(this.dir, id), { recursive: true, force: true });
  }

  /** Removes uploads started before `cutoffMs` (abandoned by their clients). */
  async expire(cutoffMs: number): Promise<number> {
    let removed = 0;
    for (const id of await readdir(this.dir).catch(() => [] as string[])) {
      if (!idPattern.test(id) || this.busy.has(id)) continue;
      const info = await stat(join(this.dir, id, "data")).catch(() => stat(join(this.dir, id)).catch(() => undefined));
      if (info && info.mtimeMs < cutoffMs) {
        await this.cancel(id);
        removed++;
      }
    }
    return removed;
  }

  private async liveHash(id: string): Promise<LiveHash> {
    const known = this.hashes.get(id);
    if (known) return known;
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(join(this.dir, id, "data")) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const live = { hash, size };
    this.hashes.set(id, live);
    return live;
  }
}
