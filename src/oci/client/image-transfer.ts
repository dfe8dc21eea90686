/** Moves whole images between a local OCI store and a registry: blobs first, child manifests, then the tagged manifest. */

import type { OciStore } from "../oci-store";
import { parseManifestDocument } from "../manifest-document";
import type { Descriptor, ImageIndex, Platform } from "../media-types";
import type { PushBlobOptions, PushBlobOutcome, RegistryClient } from "./registry-client";

export interface PushImageResult {
  digest: string;
  mediaType: string;
  blobs: Record<PushBlobOutcome, number>;
}

/** Pushes `localRepository@reference` from the store to `remoteRepository`, under each of `tags` (or by digest). */
export async function pushImageFromStore(
  store: OciStore,
  localRepository: string,
  reference: string,
  client: RegistryClient,
  remoteRepository: string,
  tags: string[],
  options: PushBlobOptions = {},
): Promise<PushImageResult> {
  const counts: Record<PushBlobOutcome, number> = { exists: 0, mounted: 0, uploaded: 0 };
  const pushManifestTree = async (digestOrTag: string, references: string[]): Promise<{ digest: string; mediaType: string }> => {
    const manifest = await store.getManifest(localRepository, digestOrTag);
    const document = parseManifestDocument(manifest.bytes, manifest.mediaType);
    for (const child of document.children) await pushManifestTree(child.digest, []);
    for (const blob of document.blobs) {
      const info = await store.blobs.stat(blob.digest);
      if (!info) throw new Error(`blob ${blob.digest} of ${localRepository}:${reference} is missing from the local store`);
      const outcome = await client.pushBlob(remoteRepository, { digest: blob.digest, size: info.size, open: (range) => store.blobs.open(blob.digest, range) }, options);
      counts[outcome]++;
    }
    for (const target of references.length > 0 ? references : [manifest.digest]) await client.putManifest(remoteRepository, target, manifest.bytes, manifest.mediaType);
    return { digest: manifest.digest, mediaType: manifest.mediaType };
  };
  const pushed = await pushManifestTree(reference, tags);
  return { ...pushed, blobs: counts };
}

export interface PullImageOptions {
  /** For an index: keep only the manifest for this platform (default linux/amd64, else the first). */
  platform?: Platform;
  /** Tag the pulled manifest with this tag in the local repository. */
  tag?: string;
}

function pickPlatform(index: ImageIndex, wanted: Platform): Descriptor | undefined {
  const matches = (descriptor: Descriptor): boolean => descriptor.platform?.os === wanted.os && descriptor.platform.architecture === wanted.architecture;
  return index.manifests.find(matches) ?? index.manifests.find((descriptor) => descriptor.platform?.os !== "unknown") ?? index.manifests[0];
}

/** Pulls an image (one platform of an index) into the store; returns the digest of the image manifest stored. */
export async function pullImageToStore(
  client: RegistryClient,
  remoteRepository: string,
  reference: string,
  store: OciStore,
  localRepository: string,
  options: PullImageOptions = {},
): Promise<{ digest: string; mediaType: string }> {
  let manifest = await client.getManifest(remoteRepository, reference);
  let document = parseManifestDocument(manifest.bytes, manifest.mediaType);
  if (document.isIndex) {
    const index = JSON.parse(manifest.bytes.toString("utf8")) as ImageIndex;
    const chosen = pickPlatform(index, options.platform ?? { os: "linux", architecture: process.arch === "arm64" ? "arm64" : "amd64" });
    if (!chosen) throw new Error(`${remoteRepository}:${reference} is an empty index`);
    manifest = await client.getManifest(remoteRepository, chosen.digest);
    document = parseManifestDocument(manifest.bytes, manifest.mediaType);
  }
  for (const blob of document.blobs) {
    if (await store.blobs.has(blob.digest)) {
      await store.repositories.linkBlob(localRepository, blob.digest);
      continue;
    }
    await store.putBlob(localRepository, await client.getBlob(remoteRepository, blob.digest), { digest: blob.digest, size: blob.size });
  }
  await store.putManifest(localRepository, options.tag ?? manifest.digest, manifest.bytes, manifest.mediaType);
  return { digest: manifest.digest, mediaType: manifest.mediaType };
}
