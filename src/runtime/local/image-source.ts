/** Where the local runtime finds a container's image: the server's own OCI store for its registry hosts, any other registry through the client. */

import { join } from "node:path";
import type { Readable } from "node:stream";
import { SlipwayError, describeError } from "../../core/errors";
import { formatImageReference, parseImageReference, referenceTarget, type ImageReference } from "../../oci/client/image-reference";
import { pullImageToStore } from "../../oci/client/image-transfer";
import { RegistryClient } from "../../oci/client/registry-client";
import type { RegistryCredentials } from "../../oci/client/registry-session";
import { loadLocalImage, localRepositoryOf } from "../../oci/local-images";
import type { ImageConfig } from "../../oci/media-types";
import { OciStore } from "../../oci/oci-store";

export interface FetchedImage {
  /** Digest of the image manifest: the key of the unpacked root. */
  digest: string;
  config: ImageConfig;
  /** Layer blobs in order (tar, gzip-compressed or not), with their digests. */
  layers: { digest: string; open(): Promise<Readable> }[];
}

export interface ImageSource {
  /** The image, or undefined when no registry has it. */
  fetch(reference: string): Promise<FetchedImage | undefined>;
}

export interface OciImageSourceOptions {
  /** The server's own OCI store (its embedded registry's repositories and local images). */
  store?: OciStore;
  /** host:port names under which `store` is served as a registry (e.g. the server's 127.0.0.1:7700). */
  localRegistryHosts?: () => string[];
  /** Where images pulled from other registries are kept. */
  pullStoreDir: string;
  credentials?: (registry: string) => RegistryCredentials | undefined;
}

function notFound(error: unknown): boolean {
  const text = describeError(error);
  return /MANIFEST_UNKNOWN|manifest unknown|no local image|NAME_UNKNOWN|404/i.test(text) || (error instanceof Error && "code" in error && error.code === "MANIFEST_UNKNOWN");
}

async function fromStore(store: OciStore, text: string): Promise<FetchedImage | undefined> {
  const image = await loadLocalImage(store, text).catch((error: unknown) => {
    if (notFound(error)) return undefined;
    throw error;
  });
  if (!image) return undefined;
  const isIndex = image.manifest.mediaType.includes("index") || image.manifest.mediaType.includes("list");
  return {
    // An index names several images: its chosen image is keyed by its config (which pins every layer's diff id).
    digest: isIndex ? image.configDigest : image.manifest.digest,
    config: image.config,
    layers: image.image.layers.map((layer) => ({ digest: layer.digest, open: () => store.blobs.open(layer.digest) })),
  };
}

export class OciImageSource implements ImageSource {
  private pullStore: Promise<OciStore> | undefined;

  constructor(private readonly options: OciImageSourceOptions) {}

  private isLocal(reference: ImageReference): boolean {
    if (!reference.registry) return true;
    return (this.options.localRegistryHosts?.() ?? []).includes(reference.registry);
  }

  async fetch(text: string): Promise<FetchedImage | undefined> {
    let reference: ImageReference;
    try {
      reference = parseImageReference(text);
    } catch (error) {
      throw new SlipwayError("IMAGE_INVALID", `image reference ${JSON.stringify(text)}: ${describeError(error)}`);
    }
    const store = this.options.store;
    if (store && this.isLocal(reference)) {
      // The embedded registry keeps `team/svc` without the host; a local image keeps the host in its name.
      const found = (reference.registry ? await fromStore(store, formatImageReference({ ...reference, registry: undefined })) : undefined) ?? (await fromStore(store, text));
      // Our own registry does not have it: asking it over HTTP would say the same (or want credentials).
      return found;
    }
    if (!reference.registry) return undefined;
    const pulled = await (this.pullStore ??= OciStore.open(this.options.pullStoreDir));
    const client = new RegistryClient({ registry: reference.registry, credentials: this.options.credentials?.(reference.registry) });
    try {
      await pullImageToStore(client, reference.repository, referenceTarget(reference), pulled, localRepositoryOf(reference), { tag: reference.digest ? undefined : reference.tag });
    } catch (error) {
      if (notFound(error)) return undefined;
      throw new SlipwayError("IMAGE_NOT_FOUND", `image ${text}: pulling from ${reference.registry} failed: ${describeError(error)}`, { cause: error });
    }
    return fromStore(pulled, text);
  }
}

/** The server's source: its own OCI store (`<dataDir>/oci`) for references to its registry (by any loopback name), the client for others. */
export function serverImageSource(dataDir: string, publicUrl: () => string): ImageSource {
  let source: Promise<OciImageSource> | undefined;
  const hosts = (): string[] => {
    const url = publicUrl();
    if (!url) return [];
    const { host, port } = new URL(url);
    return [host, `127.0.0.1:${port}`, `localhost:${port}`];
  };
  const open = async (): Promise<OciImageSource> =>
    new OciImageSource({ store: await OciStore.open(join(dataDir, "oci")), localRegistryHosts: hosts, pullStoreDir: join(dataDir, "runtime", "images", "pulled") });
  return {
    async fetch(reference) {
      return (await (source ??= open())).fetch(reference);
    },
  };
}
