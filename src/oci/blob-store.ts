/** Content-addressed blobs in `<dir>/blobs/sha256/<hex>`: verified before they appear, never torn, safe for concurrent writers. */

import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type ReadStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DigestingStream, digestHex } from "./digest";
import { KeyedMutex, syncDirectory } from "./durable-file";
import { OciError } from "./oci-error";

export interface BlobInfo {
  digest: string;
  size: number;
  /** Last write or touch: garbage collection spares blobs younger than its grace period. */
  mtimeMs: number;
}

export interface BlobExpectation {
  digest?: string;
  size?: number;
  /** Refuse (SIZE_INVALID, HTTP 413) once more than this many bytes arrive. */
  maxSize?: number;
}

export interface WrittenBlob {
  digest: string;
  size: number;
}

export class BlobStore {
  /** Serialises, per digest, a writer's commit and the collector's delete so that neither undoes the other. */
  readonly locks = new KeyedMutex();
  private readonly blobsDir: string;
  readonly tempDir: string;

  constructor(readonly root: string) {
    this.blobsDir = join(root, "blobs", "sha256");
    this.tempDir = join(root, "tmp");
  }

  async init(): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
  }

  pathOf(digest: string): string {
    const hex = digestHex(digest);
    if (!hex) throw new OciError("DIGEST_INVALID", `not a sha256 digest: ${digest}`);
    return join(this.blobsDir, hex);
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    if (!digestHex(digest)) return undefined;
    const info = await stat(this.pathOf(digest)).catch(() => undefined);
    return info?.isFile() ? { digest, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.stat(digest)) !== undefined;
  }

  /** A stream of the blob (or of bytes `start`..`end` inclusive); BLOB_UNKNOWN when it is missing. */
  async open(digest: string, range?: { start: number; end: number }): Promise<ReadStream> {
    const path = this.pathOf(digest);
    const handle = await open(path, "r").catch(() => {
      throw new OciError("BLOB_UNKNOWN", `blob unknown to registry: ${digest}`, { detail: { digest } });
    });
    // 1 MiB reads: a 200 MB layer goes out in fewer, larger writes than with the 64 KiB default.
    return createReadStream(path, { fd: handle, start: range?.start, end: range?.end, autoClose: true, highWaterMark: 1024 * 1024 });
  }

  async readBytes(digest: string): Promise<Buffer> {
    return readFile(this.pathOf(digest)).catch(() => {
      throw new OciError("BLOB_UNKNOWN", `blob unknown to registry: ${digest}`, { detail: { digest } });
    });
  }

  newTempPath(): string {
    return join(this.tempDir, randomUUID());
  }

  /** Streams `source` into the store; the blob appears only once its digest (and size) match the expectation. */
  async writeStream(source: Readable, expected: BlobExpectation = {}): Promise<WrittenBlob> {
    if (expected.digest !== undefined) this.pathOf(expected.digest);
    const temp = this.newTempPath();
    const digesting = new DigestingStream();
    const limit = expected.maxSize;
    if (limit !== undefined) {
      digesting.on("data", () => {
        if (digesting.size > limit) digesting.destroy(new OciError("SIZE_INVALID", `upload exceeds the maximum size of ${limit} bytes`, { status: 413 }));
      });
    }
    try {
      await pipeline(source, digesting, createWriteStream(temp));
      return await this.commitFile(temp, digesting.digest(), digesting.size, expected);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async writeBytes(data: Buffer, expected: BlobExpectation = {}): Promise<WrittenBlob> {
    return this.writeStream(Readable.from([data]), expected);
  }

  /**
   * Moves a fully written temp file into place as blob `actual` after checking the expectation.
   * A mismatch throws DIGEST_INVALID / SIZE_INVALID and leaves nothing in the store.
   */
  async commitFile(temp: string, actual: string, size: number, expected: BlobExpectation = {}): Promise<WrittenBlob> {
    if (expected.digest !== undefined && expected.digest !== actual) {
      throw new OciError("DIGEST_INVALID", `provided digest ${expected.digest} does not match the content (${actual})`, { detail: { expected: expected.digest, actual } });
    }
    if (expected.size !== undefined && expected.size !== size) {
      throw new OciError("SIZE_INVALID", `expected ${expected.size} bytes, received ${size}`);
    }
    const handle = await open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.locks.run(actual, async () => {
      // Same digest, same bytes: a rename over a concurrent writer's copy is harmless, and it refreshes the mtime.
      await rename(temp, this.pathOf(actual));
    });
    await syncDirectory(this.blobsDir);
    return { digest: actual, size };
  }

  /** Marks a blob as just used so a collection running now spares it; false when it is gone. */
  async touch(digest: string): Promise<boolean> {
    return this.locks.run(digest, async () => {
      const now = new Date();
      return utimes(this.pathOf(digest), now, now).then(() => true, () => false);
    });
  }

  async delete(digest: string): Promise<boolean> {
    const path = this.pathOf(digest);
    const existed = await stat(path).then(() => true, () => false);
    await rm(path, { force: true });
    return existed;
  }

  /** Removes temp files a crashed writer left behind (older than `cutoffMs`). */
  async expireTemp(cutoffMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tempDir).catch(() => [] as string[])) {
      const info = await stat(join(this.tempDir, name)).catch(() => undefined);
      if (info && info.mtimeMs < cutoffMs) {
        await rm(join(this.tempDir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const name of await readdir(this.blobsDir).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const info = await this.stat(`sha256:${name}`);
      if (info) yield info;
    }
  }
}
