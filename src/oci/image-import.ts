/** `slipway image import`: a root filesystem (directory, tar or tar.gz) becomes a single-layer image. */

import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { parseImageReference, referenceTarget } from "./client/image-reference";
import { sha256Digest } from "./digest";
import { collectFileTree } from "./builder/file-tree";
import { defaultPath } from "./builder/image-config";
import { writeGzipLayer, writeLayer, writeTarAsLayer, type WrittenLayer } from "./builder/layer-writer";
import { localRepositoryOf } from "./local-images";
import { mediaTypes, type ContainerConfig, type ImageConfig, type ImageManifest } from "./media-types";
import type { OciStore } from "./oci-store";

export interface ImportImageOptions {
  /** Root filesystem directory, `.tar` or `.tar.gz`. */
  source: string;
  tag: string;
  config?: ContainerConfig;
  /** Seconds since the epoch for mtimes and `created` (default SOURCE_DATE_EPOCH, else 0). */
  sourceDateEpoch?: number;
}

export interface ImportImageResult {
  reference: string;
  digest: string;
  layer: { digest: string; diffId: string; size: number };
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const { buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

export async function importRootFilesystem(store: OciStore, options: ImportImageOptions): Promise<ImportImageResult> {
  const reference = parseImageReference(options.tag);
  const repository = localRepositoryOf(reference);
  const epoch = options.sourceDateEpoch ?? (Number(process.env.SOURCE_DATE_EPOCH) || 0);
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const info = await stat(options.source);
  let layer: WrittenLayer;
  if (info.isDirectory()) {
    // Keep the files' own modes: a root filesystem needs its executables and setuid bits as they are.
    layer = await writeLayer(store, repository, await collectFileTree(options.source, { prefix: "", mtime: epoch, preserveModes: true }));
  } else if (await isGzip(options.source)) {
    layer = await writeGzipLayer(store, repository, () => createReadStream(options.source));
  } else {
    layer = await writeTarAsLayer(store, repository, createReadStream(options.source));
  }
  const config: ImageConfig = {
    created,
    architecture: process.arch === "arm64" ? "arm64" : "amd64",
    os: "linux",
    config: { Env: [`PATH=${defaultPath}`], ...(options.config ?? {}) },
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created, created_by: `slipway image import ${options.source}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configBlob = await store.putBlob(repository, configBytes, { digest: sha256Digest(configBytes) });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: configBlob.digest, size: configBlob.size },
    layers: [layer.descriptor],
  };
  const stored = await store.putManifest(repository, referenceTarget(reference), Buffer.from(JSON.stringify(manifest)), mediaTypes.ociManifest);
  return { reference: options.tag, digest: stored.digest, layer: { digest: layer.descriptor.digest, diffId: layer.diffId, size: layer.descriptor.size } };
}
