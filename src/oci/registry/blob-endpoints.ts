/** `/v2/<name>/blobs/<digest>`: GET (with Range), HEAD and DELETE. */

import { isDigest } from "../digest";
import { OciError } from "../oci-error";
import type { RegistryRequestContext } from "./registry-context";

function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from, to] = match;
  if (from === "" && to === "") return undefined;
  const start = from === "" ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === "" || to === "" ? size - 1 : Math.min(Number(to), size - 1);
  return { start, end };
}

export async function handleBlob(context: RegistryRequestContext, name: string, digest: string): Promise<void> {
  const { request, reply, store } = context;
  if (!isDigest(digest)) throw new OciError("DIGEST_INVALID", `unsupported digest: ${digest}`);
  if (request.method === "DELETE") {
    if (!(await store.repositories.unlinkBlob(name, digest))) throw new OciError("BLOB_UNKNOWN", `blob unknown to registry: ${digest}`);
    await reply.code(202).header("Content-Length", "0").send();
    return;
  }
  const info = (await store.repositoryHasBlob(name, digest)) ? await store.blobs.stat(digest) : undefined;
  if (!info) throw new OciError("BLOB_UNKNOWN", `blob unknown to registry: ${digest}`, { detail: { digest } });
  reply.header("Docker-Content-Digest", digest).header("ETag", `"${digest}"`).header("Accept-Ranges", "bytes").header("Content-Type", "application/octet-stream");
  const range = request.method === "GET" ? parseRange(request.headers.range, info.size) : undefined;
  if (range && (range.start > range.end || range.start >= info.size)) {
    await reply.code(416).header("Content-Range", `bytes */${info.size}`).send();
    return;
  }
  if (request.method === "HEAD") {
    await reply.code(200).header("Content-Length", String(info.size)).send();
    return;
  }
  if (range) {
    reply.code(206).header("Content-Range", `bytes ${range.start}-${range.end}/${info.size}`).header("Content-Length", String(range.end - range.start + 1));
    await reply.send(await store.blobs.open(digest, range));
    return;
  }
  await reply.code(200).header("Content-Length", String(info.size)).send(await store.blobs.open(digest));
}
