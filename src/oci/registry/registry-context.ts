/** What every registry endpoint handler gets: the request, the reply, the store, the caller and the limits. */

import type { FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import type { OciStore } from "../oci-store";
import type { RegistryAuth } from "./registry-auth";
import { OciError } from "../oci-error";

export interface RegistryOptions {
  store: OciStore;
  auth: RegistryAuth;
  /** Largest blob accepted, in bytes (default 10 GiB): bigger uploads get 413. */
  maxUploadBytes?: number;
  /** HMAC secret of the bearer tokens `/v2/token` issues (default: random per process). */
  tokenSecret?: Buffer;
  tokenTtlSeconds?: number;
  /** `service` of the challenge (default "slipway"). */
  service?: string;
  /** Token endpoint URL (default: `<scheme>://<Host>/v2/token` from the request). */
  realm?: string;
}

export interface RegistryRequestContext {
  request: FastifyRequest;
  reply: FastifyReply;
  store: OciStore;
  query: URLSearchParams;
  maxUploadBytes: number;
  /** The authenticated user, if any. */
  user?: string;
  /** The request body as a stream (empty for requests without one). */
  body(): Readable;
}

export const maxManifestBytes = 4 * 1024 * 1024;

/** Reads a small body (a manifest) into memory, refusing more than `limit` bytes. */
export async function readSmallBody(stream: Readable, limit = maxManifestBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new OciError("SIZE_INVALID", `manifest larger than ${limit} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
