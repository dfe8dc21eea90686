/** sha256 digests: parsing, validation and hashing of buffers and streams. */

import { createHash, type Hash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

const digestPattern = /^sha256:([a-f0-9]{64})$/;

export function isDigest(value: string): boolean {
  return digestPattern.test(value);
}

/** The hex part of a `sha256:<hex>` digest, or undefined when it is not one we can store. */
export function digestHex(digest: string): string | undefined {
  return digestPattern.exec(digest)?.[1];
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function digestOfHash(hash: Hash): string {
  return `sha256:${hash.digest("hex")}`;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestingStream extends Transform {
  readonly hash = createHash("sha256");
  size = 0;
  private finished?: string;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  /** The digest of everything that passed; call it after the stream ended (repeat calls give the same value). */
  digest(): string {
    this.finished ??= digestOfHash(this.hash);
    return this.finished;
  }
}
