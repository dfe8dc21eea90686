/** Writes a layer (tar → gzip with a fixed level and header) into the store: its blob digest and its diff ID. */

import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { DigestingStream } from "../digest";
import { mediaTypes, type Descriptor } from "../media-types";
import type { OciStore } from "../oci-store";
import { tarStream, type TarEntry } from "./tar-writer";

export interface WrittenLayer {
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar, as the image config lists it. */
  diffId: string;
}

/** Gzip level 6 and Node's fixed gzip header (mtime 0, no name): the same tar gives the same digest. */
export const layerGzipLevel = 6;

/** Compresses an uncompressed tar stream into a layer blob. */
export async function writeTarAsLayer(store: OciStore, repository: string, tar: Readable): Promise<WrittenLayer> {
  const diff = new DigestingStream();
  const gzip = createGzip({ level: layerGzipLevel });
  const piping = pipeline(tar, diff, gzip);
  piping.catch((error: unknown) => gzip.destroy(error instanceof Error ? error : new Error(String(error))));
  const written = await store.putBlob(repository, gzip);
  await piping;
  return { descriptor: { mediaType: mediaTypes.ociLayerGzip, digest: written.digest, size: written.size }, diffId: diff.digest() };
}

export async function writeLayer(store: OciStore, repository: string, entries: TarEntry[]): Promise<WrittenLayer> {
  return writeTarAsLayer(store, repository, tarStream(entries));
}

/** Stores an already gzip-compressed tar as it is, computing its diff ID by decompressing a copy of the stream. */
export async function writeGzipLayer(store: OciStore, repository: string, open: () => Readable): Promise<WrittenLayer> {
  const diff = new DigestingStream();
  diff.resume();
  await pipeline(open(), createGunzip(), diff);
  const written = await store.putBlob(repository, open());
  return { descriptor: { mediaType: mediaTypes.ociLayerGzip, digest: written.digest, size: written.size }, diffId: diff.digest() };
}
