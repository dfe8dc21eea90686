/** `/v2/<name>/blobs/uploads/[<id>]`: monolithic and chunked uploads, cross-repository mounts, status and cancel. */

import { isDigest } from "../digest";
import { OciError } from "../oci-error";
import type { UploadSession } from "../upload-sessions";
import type { RegistryRequestContext } from "./registry-context";

function uploadLocation(name: string, id: string): string {
  return `/v2/${name}/blobs/uploads/${id}`;
}

function rangeHeader(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

async function created(context: RegistryRequestContext, name: string, digest: string): Promise<void> {
  await context.reply.code(201).header("Location", `/v2/${name}/blobs/${digest}`).header("Docker-Content-Digest", digest).header("Content-Length", "0").send();
}

async function accepted(context: RegistryRequestContext, name: string, session: UploadSession, code = 202): Promise<void> {
  await context.reply
    .code(code)
    .header("Location", uploadLocation(name, session.id))
    .header("Range", rangeHeader(session.size))
    .header("Docker-Upload-UUID", session.id)
    .header("Content-Length", "0")
    .send();
}

function assertSizeAllowed(context: RegistryRequestContext): void {
  const length = Number(context.request.headers["content-length"] ?? 0);
  if (length > context.maxUploadBytes) {
    throw new OciError("SIZE_INVALID", `upload of ${length} bytes exceeds the maximum size of ${context.maxUploadBytes} bytes`, { status: 413 });
  }
}

/** `Content-Range: <start>-<end>` (also `bytes <start>-<end>/*`), the start offset of a chunk. */
function chunkStart(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const match = /^(?:bytes\s+)?(\d+)-(\d+)/.exec(header.trim());
  if (!match) throw new OciError("BLOB_UPLOAD_INVALID", `malformed Content-Range: ${header}`, { status: 416 });
  return Number(match[1]);
}

export async function handleUpload(
  context: RegistryRequestContext,
  name: string,
  uploadId: string | undefined,
  canMountFrom: (repository: string) => Promise<boolean>,
): Promise<void> {
  const { request, store, query } = context;
  if (uploadId === undefined) {
    if (request.method !== "POST") throw new OciError("UNSUPPORTED", `${request.method} is not supported on uploads`);
    const mount = query.get("mount");
    const from = query.get("from");
    if (mount && from && isDigest(mount) && (await canMountFrom(from)) && (await store.repositoryHasBlob(from, mount))) {
      await store.repositories.linkBlob(name, mount);
      await created(context, name, mount);
      return;
    }
    const digest = query.get("digest");
    if (digest) {
      if (!isDigest(digest)) throw new OciError("DIGEST_INVALID", `unsupported digest: ${digest}`);
      assertSizeAllowed(context);
      await store.putBlob(name, context.body(), { digest, maxSize: context.maxUploadBytes });
      await created(context, name, digest);
      return;
    }
    await accepted(context, name, await store.uploads.start(name));
    return;
  }
  const session = await store.uploads.get(uploadId, name);
  switch (request.method) {
    case "GET":
      await accepted(context, name, session, 204);
      return;
    case "DELETE":
      await store.uploads.cancel(session.id);
      await context.reply.code(204).send();
      return;
    case "PATCH":
      assertSizeAllowed(context);
      await store.uploads.append(session, context.body(), { start: chunkStart(request.headers["content-range"]), maxSize: context.maxUploadBytes });
      await accepted(context, name, session);
      return;
    case "PUT": {
      const digest = query.get("digest");
      if (!digest || !isDigest(digest)) throw new OciError("DIGEST_INVALID", "PUT to finish an upload needs ?digest=sha256:<hex>");
      assertSizeAllowed(context);
      const hasBody = Number(request.headers["content-length"] ?? 0) > 0 || request.headers["transfer-encoding"] !== undefined;
      if (hasBody) {
        await store.uploads.append(session, context.body(), { start: chunkStart(request.headers["content-range"]), maxSize: context.maxUploadBytes });
      }
      await store.uploads.finish(session, digest);
      await store.repositories.linkBlob(name, digest);
      await created(context, name, digest);
      return;
    }
    default:
      throw new OciError("UNSUPPORTED", `${request.method} is not supported on an upload`);
  }
}
