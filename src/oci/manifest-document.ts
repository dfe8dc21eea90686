/** Parses a pushed manifest or index: its media type and the blobs and child manifests it references. */

import { allManifestMediaTypes, indexMediaTypes, mediaTypes, type Descriptor } from "./media-types";
import { isDigest } from "./digest";
import { OciError } from "./oci-error";

export interface ManifestDocument {
  mediaType: string;
  isIndex: boolean;
  /** Config and layers of an image manifest (layers with `urls` are foreign and not required locally). */
  blobs: Descriptor[];
  /** Child manifests of an index. */
  children: Descriptor[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function descriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value) || typeof value.mediaType !== "string" || typeof value.digest !== "string" || typeof value.size !== "number") {
    throw new OciError("MANIFEST_INVALID", `${where}: a descriptor needs mediaType, digest and size`);
  }
  if (!isDigest(value.digest)) throw new OciError("MANIFEST_INVALID", `${where}: unsupported digest ${value.digest}`);
  return value as unknown as Descriptor;
}

/** Content type first (what the client said), then the document's own `mediaType`, then its shape. */
export function parseManifestDocument(bytes: Buffer, contentType: string | undefined): ManifestDocument {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new OciError("MANIFEST_INVALID", "manifest is not valid JSON");
  }
  if (!isRecord(json) || json.schemaVersion !== 2) throw new OciError("MANIFEST_INVALID", "manifest must be a JSON object with schemaVersion 2");
  const declared = typeof json.mediaType === "string" ? json.mediaType : undefined;
  const headerType = contentType?.split(";")[0]?.trim();
  const fromHeader = headerType && allManifestMediaTypes.includes(headerType) ? headerType : undefined;
  if (fromHeader && declared && declared !== fromHeader) {
    throw new OciError("MANIFEST_INVALID", `Content-Type ${fromHeader} does not match the manifest's mediaType ${declared}`);
  }
  const mediaType = fromHeader ?? declared ?? (Array.isArray(json.manifests) ? mediaTypes.ociIndex : mediaTypes.ociManifest);
  if (!allManifestMediaTypes.includes(mediaType)) throw new OciError("MANIFEST_INVALID", `unsupported manifest media type ${mediaType}`);
  if (indexMediaTypes.includes(mediaType)) {
    if (!Array.isArray(json.manifests)) throw new OciError("MANIFEST_INVALID", "an index needs a manifests array");
    const children = json.manifests.map((entry, i) => descriptor(entry, `manifests[${i}]`));
    return { mediaType, isIndex: true, blobs: [], children };
  }
  if (!Array.isArray(json.layers)) throw new OciError("MANIFEST_INVALID", "an image manifest needs a layers array");
  const config = descriptor(json.config, "config");
  const layers = json.layers.map((entry, i) => descriptor(entry, `layers[${i}]`));
  return { mediaType, isIndex: false, blobs: [config, ...layers.filter((layer) => !layer.urls?.length)], children: [] };
}
