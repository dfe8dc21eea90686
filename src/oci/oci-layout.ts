/** OCI image layout directories (`oci-layout`, `index.json`, `blobs/sha256/…`): export from and import into a store. */

import { createReadStream } from "node:fs";
import { copyFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { digestHex } from "./digest";
import { parseManifestDocument } from "./manifest-document";
import type { Descriptor, ImageIndex } from "./media-types";
import { mediaTypes } from "./media-types";
import type { OciStore } from "./oci-store";

const refNameAnnotation = "org.opencontainers.image.ref.name";

export async function isOciLayout(dir: string): Promise<boolean> {
  return stat(join(dir, "oci-layout")).then((info) => info.isFile(), () => false);
}

/** Writes `repository:reference` (with its blobs) into a layout dir, named `refName` in index.json. */
export async function exportOciLayout(store: OciStore, repository: string, reference: string, dir: string, refName: string): Promise<string> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const copyTree = async (target: string): Promise<Descriptor> => {
    const manifest = await store.getManifest(repository, target);
    const document = parseManifestDocument(manifest.bytes, manifest.mediaType);
    for (const child of document.children) await copyTree(child.digest);
    for (const blob of [...document.blobs, { digest: manifest.digest }]) {
      const destination = join(dir, "blobs", "sha256", digestHex(blob.digest) as string);
      if (!(await stat(destination).catch(() => undefined))) await copyFile(store.blobs.pathOf(blob.digest), destination);
    }
    return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
  };
  const root = await copyTree(reference);
  const indexPath = join(dir, "index.json");
  const existing = await readFile(indexPath, "utf8").then((text) => JSON.parse(text) as ImageIndex, () => undefined);
  const others = (existing?.manifests ?? []).filter((entry) => entry.annotations?.[refNameAnnotation] !== refName);
  const index: ImageIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [...others, { ...root, annotations: { [refNameAnnotation]: refName } }] };
  await writeFile(indexPath, JSON.stringify(index));
  return root.digest;
}

/** Copies the image named `refName` (or the only one) from a layout dir into `repository` of the store, tagged `tag`. */
export async function importOciLayout(store: OciStore, dir: string, repository: string, tag: string, refName?: string): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, "index.json"), "utf8")) as ImageIndex;
  const entry = refName ? index.manifests.find((m) => m.annotations?.[refNameAnnotation] === refName) : index.manifests[0];
  if (!entry) throw new Error(`${dir}: no image named ${refName ?? "(any)"} in index.json`);
  const copyTree = async (descriptor: Descriptor, reference: string): Promise<void> => {
    const path = join(dir, "blobs", "sha256", digestHex(descriptor.digest) as string);
    const bytes = await readFile(path);
    const document = parseManifestDocument(bytes, descriptor.mediaType);
    for (const child of document.children) await copyTree(child, child.digest);
    for (const blob of document.blobs) {
      if (await store.blobs.has(blob.digest)) await store.repositories.linkBlob(repository, blob.digest);
      else await store.putBlob(repository, createReadStream(join(dir, "blobs", "sha256", digestHex(blob.digest) as string)), { digest: blob.digest });
    }
    await store.putManifest(repository, reference, bytes, descriptor.mediaType);
  };
  await copyTree(entry, tag);
  return entry.digest;
}
