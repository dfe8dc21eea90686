/** Image references like `127.0.0.1:5000/team/app:v1.2.3@sha256:…`: registry host, repository, tag, digest. */

import { isDigest } from "../digest";
import { OciError } from "../oci-error";

export interface ImageReference {
  /** Host[:port], or undefined for a local image name such as `node-base:20`. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(text: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw new OciError("DIGEST_INVALID", `unsupported digest in image reference ${text}`);
  }
  let registry: string | undefined;
  const slash = rest.indexOf("/");
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest || !/^[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(rest)) {
    throw new OciError("NAME_INVALID", `invalid image reference: ${text} (expected [host[:port]/]name[:tag][@sha256:…], lower case)`);
  }
  if (tag !== undefined && !/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag)) throw new OciError("NAME_INVALID", `invalid tag in image reference: ${text}`);
  return { registry, repository: rest, tag: tag ?? (digest ? undefined : "latest"), digest };
}

/** The tag or digest to ask a registry for (digest wins). */
export function referenceTarget(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? "latest";
}

export function formatImageReference(reference: ImageReference): string {
  const name = reference.registry ? `${reference.registry}/${reference.repository}` : reference.repository;
  return `${name}${reference.tag ? `:${reference.tag}` : ""}${reference.digest ? `@${reference.digest}` : ""}`;
}

/** Plain HTTP for loopback registries (as Docker treats 127.0.0.0/8 and localhost), HTTPS elsewhere. */
export function defaultSchemeFor(registry: string): "http" | "https" {
  const host = registry.replace(/:\d+$/, "");
  return host === "localhost" || host.startsWith("127.") || host === "[::1]" ? "http" : "https";
}
