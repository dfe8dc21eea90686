/** Finds a build's base image — `scratch`, an OCI layout dir, a registry reference or a local image — and links its blobs into the target repository. */

import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseImageReference, referenceTarget } from "../client/image-reference";
import { RegistryClient } from "../client/registry-client";
import type { RegistryCredentials } from "../client/registry-session";
import { pullImageToStore } from "../client/image-transfer";
import { isOciLayout, importOciLayout } from "../oci-layout";
import { loadLocalImage, localRepositoryOf } from "../local-images";
import type { ImageConfig, ImageManifest } from "../media-types";
import type { OciStore } from "../oci-store";

export interface BaseImage {
  /** Undefined for `scratch`. */
  manifest?: ImageManifest;
  config: ImageConfig;
  description: string;
}

export interface BaseImageOptions {
  credentials?: RegistryCredentials;
  /** Pull from the registry even when the image is already in the store. */
  refresh?: boolean;
}

export function scratchConfig(): ImageConfig {
  return { architecture: process.arch === "arm64" ? "arm64" : "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [] }, history: [] };
}

export async function resolveBaseImage(store: OciStore, base: string, targetRepository: string, options: BaseImageOptions = {}): Promise<BaseImage> {
  if (base === "scratch") return { config: scratchConfig(), description: "scratch" };
  const [layoutDir, refName] = base.startsWith("oci:") ? base.slice(4).split(/:(?=[^/]*$)/) : [base, undefined];
  if (layoutDir && (base.startsWith("oci:") || base.includes("/") || base.startsWith(".")) && existsSync(layoutDir) && (await isOciLayout(layoutDir))) {
    const repository = `oci-layout/${createHash("sha256").update(resolve(layoutDir)).digest("hex").slice(0, 12)}`;
    const digest = await importOciLayout(store, layoutDir, repository, "base", refName);
    return linkInto(store, `${repository}@${digest}`, targetRepository, `${base} (${digest})`);
  }
  const reference = parseImageReference(base);
  const localRepository = localRepositoryOf(reference);
  const present = await store.resolve(localRepository, referenceTarget(reference));
  if (reference.registry && (options.refresh || !present)) {
    const client = new RegistryClient({ registry: reference.registry, credentials: options.credentials });
    await pullImageToStore(client, reference.repository, referenceTarget(reference), store, localRepository, { tag: reference.digest ? undefined : reference.tag });
  }
  return linkInto(store, base, targetRepository, base);
}

async function linkInto(store: OciStore, localReference: string, targetRepository: string, description: string): Promise<BaseImage> {
  const image = await loadLocalImage(store, localReference);
  for (const blob of [image.image.config, ...image.image.layers]) await store.repositories.linkBlob(targetRepository, blob.digest);
  return { manifest: image.image, config: image.config, description: `${description} (${image.manifest.digest})` };
}
