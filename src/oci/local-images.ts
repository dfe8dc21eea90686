/** Local images: references like `node-base:20` or `127.0.0.1:5000/app:v1` kept as repositories of an OCI store. */

import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseImageReference, referenceTarget, type ImageReference } from "./client/image-reference";
import { parseManifestDocument } from "./manifest-document";
import type { ImageConfig, ImageManifest } from "./media-types";
import { OciError } from "./oci-error";
import type { OciStore, StoredManifest } from "./oci-store";

/** `--data DIR`, then SLIPWAY_DATA, then ~/.local/share/slipway; images live in `<data>/oci`. */
export function localImageStoreDir(dataDir?: string): string {
  const data = dataDir ?? process.env.SLIPWAY_DATA ?? join(homedir(), ".local", "share", "slipway");
  return join(resolve(data), "oci");
}

/** The store repository of a reference: the registry host (if any) is part of the local name, as in Docker. */
export function localRepositoryOf(reference: ImageReference): string {
  return reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository;
}

export interface LocalImage {
  reference: ImageReference;
  repository: string;
  manifest: StoredManifest;
  /** The image manifest (for an index: the first image in it). */
  image: ImageManifest;
  config: ImageConfig;
  configDigest: string;
}

export async function loadLocalImage(store: OciStore, text: string): Promise<LocalImage> {
  const reference = parseImageReference(text);
  const repository = localRepositoryOf(reference);
  const manifest = await store.getManifest(repository, referenceTarget(reference)).catch(() => {
    throw new OciError("MANIFEST_UNKNOWN", `no local image ${text} (see \`slipway image ls\`)`);
  });
  let imageBytes = manifest.bytes;
  let document = parseManifestDocument(manifest.bytes, manifest.mediaType);
  if (document.isIndex) {
    const first = document.children[0];
    if (!first) throw new OciError("MANIFEST_INVALID", `${text} is an empty index`);
    imageBytes = (await store.getManifest(repository, first.digest)).bytes;
    document = parseManifestDocument(imageBytes, first.mediaType);
  }
  const image = JSON.parse(imageBytes.toString("utf8")) as ImageManifest;
  const config = JSON.parse((await store.blobs.readBytes(image.config.digest)).toString("utf8")) as ImageConfig;
  return { reference, repository, manifest, image, config, configDigest: image.config.digest };
}

export interface LocalImageSummary {
  repository: string;
  tag: string;
  digest: string;
  /** Compressed size of config and layers. */
  size: number;
  created?: string;
}

export async function listLocalImages(store: OciStore): Promise<LocalImageSummary[]> {
  const summaries: LocalImageSummary[] = [];
  for (const repository of await store.repositories.list()) {
    for (const [tag, digest] of await store.repositories.tagMap(repository)) {
      const image = await loadLocalImage(store, `${repository}:${tag}`).catch(() => undefined);
      if (!image) continue;
      const size = image.image.config.size + image.image.layers.reduce((sum, layer) => sum + layer.size, 0);
      summaries.push({ repository, tag, digest, size, created: image.config.created });
    }
  }
  return summaries;
}
