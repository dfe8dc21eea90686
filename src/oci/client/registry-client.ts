/** A client for any OCI registry: manifests, blobs (HEAD check, mount, monolithic or chunked upload), tags, delete. */

import type { Readable } from "node:stream";
import { allManifestMediaTypes } from "../media-types";
import { sha256Digest } from "../digest";
import { headerValue, readResponseBody } from "./http-transport";
import { failWith, RegistryResponseError, RegistrySession, type RegistrySessionOptions } from "./registry-session";

export interface RemoteManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface BlobSource {
  digest: string;
  size: number;
  /** Opens the blob, or bytes `start`..`end` inclusive of it (for chunked uploads). */
  open(range?: { start: number; end: number }): Promise<Readable> | Readable;
}

export interface PushBlobOptions {
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
  /** Upload in PATCH chunks of this many bytes instead of one monolithic PUT. */
  chunkSize?: number;
}

export type PushBlobOutcome = "exists" | "mounted" | "uploaded";

const acceptManifests = allManifestMediaTypes.join(", ");

function pull(repository: string): string {
  return `repository:${repository}:pull`;
}
function push(repository: string): string {
  return `repository:${repository}:pull,push`;
}

export class RegistryClient {
  readonly session: RegistrySession;

  constructor(readonly options: RegistrySessionOptions) {
    this.session = new RegistrySession(options);
  }

  get registry(): string {
    return this.options.registry;
  }

  /** `GET /v2/`: the registry answers and the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const response = await this.session.request({ method: "GET", path: "/v2/" });
    if (response.statusCode !== 200) await failWith(response, `ping ${this.registry}`);
    response.resume();
  }

  async getManifest(repository: string, reference: string): Promise<RemoteManifest> {
    const response = await this.session.request({ method: "GET", path: `/v2/${repository}/manifests/${reference}`, scope: pull(repository), headers: { Accept: acceptManifests } });
    if (response.statusCode !== 200) await failWith(response, `get manifest ${repository}:${reference}`);
    const bytes = await readResponseBody(response, 4 * 1024 * 1024);
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:") && reference !== digest) throw new RegistryResponseError(200, "DIGEST_INVALID", `manifest ${reference} arrived with digest ${digest}`);
    const mediaType = (headerValue(response.headers, "content-type") ?? "").split(";")[0]?.trim() || mediaTypeOf(bytes);
    return { digest, mediaType, bytes };
  }

  /** HEAD of a manifest: its digest and media type, or undefined when the registry does not have it. */
  async headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
    const response = await this.session.request({ method: "HEAD", path: `/v2/${repository}/manifests/${reference}`, scope: pull(repository), headers: { Accept: acceptManifests } });
    response.resume();
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) await failWith(response, `head manifest ${repository}:${reference}`);
    const digest = headerValue(response.headers, "docker-content-digest");
    if (!digest) return { ...(await this.getManifest(repository, reference)), size: 0 };
    return { digest, mediaType: headerValue(response.headers, "content-type") ?? "", size: Number(headerValue(response.headers, "content-length") ?? 0) };
  }

  /** Verify-tag-exists, for promotion: true when `repository:tag` resolves to a manifest. */
  async tagExists(repository: string, tag: string): Promise<boolean> {
    return (await this.headManifest(repository, tag)) !== undefined;
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const response = await this.session.request({ method: "PUT", path: `/v2/${repository}/manifests/${reference}`, scope: push(repository), headers: { "Content-Type": mediaType }, body: bytes });
    if (response.statusCode !== 201 && response.statusCode !== 200) await failWith(response, `put manifest ${repository}:${reference}`);
    response.resume();
    return headerValue(response.headers, "docker-content-digest") ?? sha256Digest(bytes);
  }

  async deleteManifest(repository: string, reference: string): Promise<void> {
    const response = await this.session.request({ method: "DELETE", path: `/v2/${repository}/manifests/${reference}`, scope: `repository:${repository}:pull,delete` });
    if (response.statusCode !== 202 && response.statusCode !== 200) await failWith(response, `delete manifest ${repository}:${reference}`);
    response.resume();
  }

  async blobExists(repository: string, digest: string, scope = pull(repository)): Promise<boolean> {
    const response = await this.session.request({ method: "HEAD", path: `/v2/${repository}/blobs/${digest}`, scope });
    response.resume();
    if (response.statusCode === 404) return false;
    if (response.statusCode !== 200) await failWith(response, `head blob ${repository}@${digest}`);
    return true;
  }

  /** The blob as a stream (the caller verifies the digest if it stores it). */
  async getBlob(repository: string, digest: string): Promise<Readable> {
    const response = await this.session.request({ method: "GET", path: `/v2/${repository}/blobs/${digest}`, scope: pull(repository) });
    if (response.statusCode !== 200) await failWith(response, `get blob ${repository}@${digest}`);
    return response;
  }

  async pushBlob(repository: string, blob: BlobSource, options: PushBlobOptions = {}): Promise<PushBlobOutcome> {
    const scope = push(repository);
    if (await this.blobExists(repository, blob.digest, scope)) return "exists";
    let path = `/v2/${repository}/blobs/uploads/`;
    if (options.mountFrom && options.mountFrom !== repository) path += `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(options.mountFrom)}`;
    const started = await this.session.request({ method: "POST", path, scope });
    started.resume();
    if (started.statusCode === 201) return "mounted";
    if (started.statusCode !== 202) await failWith(started, `start upload to ${repository}`);
    let location = uploadLocation(started.headers.location, repository);
    const chunkSize = options.chunkSize;
    if (chunkSize && blob.size > chunkSize) {
      for (let start = 0; start < blob.size; start += chunkSize) {
        const end = Math.min(blob.size, start + chunkSize) - 1;
        const stream = await blob.open({ start, end });
        const response = await this.session.request({
          method: "PATCH",
          path: location,
          scope,
          headers: { "Content-Type": "application/octet-stream", "Content-Length": String(end - start + 1), "Content-Range": `${start}-${end}` },
          body: () => stream,
        });
        response.resume();
        if (response.statusCode !== 202) await failWith(response, `upload chunk ${start}-${end} of ${blob.digest}`);
        location = uploadLocation(response.headers.location ?? location, repository);
      }
      return this.finishUpload(location, blob.digest, scope, undefined);
    }
    const stream = await blob.open();
    return this.finishUpload(location, blob.digest, scope, { stream, size: blob.size });
  }

  private async finishUpload(location: string, digest: string, scope: string, body: { stream: Readable; size: number } | undefined): Promise<PushBlobOutcome> {
    const url = new URL(location, this.session.baseUrl);
    url.searchParams.set("digest", digest);
    const headers: Record<string, string> = { "Content-Type": "application/octet-stream", "Content-Length": String(body?.size ?? 0) };
    const response = await this.session.request({ method: "PUT", path: url.href, scope, headers, body: body ? () => body.stream : undefined });
    response.resume();
    if (response.statusCode !== 201) await failWith(response, `finish upload of ${digest}`);
    return "uploaded";
  }

  /** One page of tags; `next` is the `last` value for the following page when the registry says there is one. */
  async listTags(repository: string, page: { n?: number; last?: string } = {}): Promise<{ tags: string[]; next?: string }> {
    const query = new URLSearchParams();
    if (page.n !== undefined) query.set("n", String(page.n));
    if (page.last !== undefined) query.set("last", page.last);
    const suffix = query.size > 0 ? `?${query}` : "";
    const response = await this.session.request({ method: "GET", path: `/v2/${repository}/tags/list${suffix}`, scope: pull(repository) });
    if (response.statusCode !== 200) await failWith(response, `list tags of ${repository}`);
    const json = JSON.parse((await readResponseBody(response)).toString("utf8")) as { tags?: string[] | null };
    const tags = json.tags ?? [];
    const link = headerValue(response.headers, "link");
    const nextLast = link ? new URL(/<([^>]+)>/.exec(link)?.[1] ?? "", this.session.baseUrl).searchParams.get("last") : null;
    return { tags, next: nextLast ?? undefined };
  }

  async listAllTags(repository: string, pageSize = 1000): Promise<string[]> {
    const all: string[] = [];
    let last: string | undefined;
    for (;;) {
      const page = await this.listTags(repository, { n: pageSize, last });
      all.push(...page.tags);
      if (!page.next || page.tags.length === 0) return all;
      last = page.next;
    }
  }
}

function uploadLocation(location: string | undefined, repository: string): string {
  if (!location) throw new RegistryResponseError(202, "BLOB_UPLOAD_INVALID", `upload to ${repository} started without a Location`);
  return location;
}

function mediaTypeOf(bytes: Buffer): string {
  const json = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; manifests?: unknown };
  return json.mediaType ?? (json.manifests ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json");
}
