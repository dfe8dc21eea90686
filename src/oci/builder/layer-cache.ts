/**
 * Skips re-archiving an unchanged layer: a key over the entries' paths, modes, sizes and source mtimes maps to
 * the layer built from them before, reused while its blob is still in the store (like Docker's build cache).
 */

import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileDurably } from "../durable-file";
import type { OciStore } from "../oci-store";
import { layerGzipLevel, writeLayer, type WrittenLayer } from "./layer-writer";
import type { TarEntry } from "./tar-writer";

async function cacheKey(entries: TarEntry[]): Promise<string> {
  const hash = createHash("sha256").update(`gzip=${layerGzipLevel}\n`);
  for (const entry of entries) {
    const source = entry.sourcePath ? await stat(entry.sourcePath) : undefined;
    hash.update(`${entry.path}\0${entry.type}\0${entry.mode}\0${entry.mtime}\0${entry.size ?? ""}\0${entry.linkTarget ?? ""}\0${source ? `${source.size}:${source.mtimeMs}:${source.ino}` : ""}\n`);
  }
  return hash.digest("hex");
}

export async function writeLayerCached(store: OciStore, repository: string, entries: TarEntry[]): Promise<WrittenLayer & { cached: boolean }> {
  const path = join(store.root, "layer-cache", await cacheKey(entries));
  const known = await readFile(path, "utf8").then((text) => JSON.parse(text) as WrittenLayer, () => undefined);
  if (known && (await store.blobs.touch(known.descriptor.digest))) {
    await store.repositories.linkBlob(repository, known.descriptor.digest);
    return { ...known, cached: true };
  }
  const written = await writeLayer(store, repository, entries);
  await writeFileDurably(path, JSON.stringify(written));
  return { ...written, cached: false };
}
