/** `/v2/<name>/manifests/<reference>` and `/v2/<name>/tags/list`. */

import { OciError } from "../oci-error";
import { readSmallBody, type RegistryRequestContext } from "./registry-context";

export async function handleManifest(context: RegistryRequestContext, name: string, reference: string): Promise<void> {
  const { request, reply, store } = context;
  switch (request.method) {
    case "GET":
    case "HEAD": {
      const manifest = await store.getManifest(name, reference);
      reply.code(200).header("Content-Type", manifest.mediaType).header("Docker-Content-Digest", manifest.digest).header("ETag", `"${manifest.digest}"`);
      reply.header("Content-Length", String(manifest.bytes.length));
      await reply.send(request.method === "HEAD" ? undefined : manifest.bytes);
      return;
    }
    case "PUT": {
      const bytes = await readSmallBody(context.body());
      const stored = await store.putManifest(name, reference, bytes, request.headers["content-type"]);
      await reply.code(201).header("Location", `/v2/${name}/manifests/${stored.digest}`).header("Docker-Content-Digest", stored.digest).header("Content-Length", "0").send();
      return;
    }
    case "DELETE":
      await store.deleteManifest(name, reference);
      await reply.code(202).header("Content-Length", "0").send();
      return;
    default:
      throw new OciError("UNSUPPORTED", `${request.method} is not supported on manifests`);
  }
}

export async function handleTagList(context: RegistryRequestContext, name: string): Promise<void> {
  const { store, query, reply } = context;
  if (context.request.method !== "GET") throw new OciError("UNSUPPORTED", "tags/list supports GET only");
  if (!(await store.repositories.exists(name))) throw new OciError("NAME_UNKNOWN", `repository name not known to registry: ${name}`, { detail: { name } });
  const all = await store.repositories.tags(name);
  const last = query.get("last");
  const after = last === null ? all : all.filter((tag) => tag > last);
  const nText = query.get("n");
  const n = nText === null || nText === "" ? undefined : Number(nText);
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new OciError("SIZE_INVALID", `n must be a non-negative integer: ${nText}`);
  const page = n === undefined ? after : after.slice(0, n);
  if (n !== undefined && after.length > n && page.length > 0) {
    const next = `/v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1] as string)}`;
    reply.header("Link", `<${next}>; rel="next"`);
  }
  await reply.code(200).header("Content-Type", "application/json").send(JSON.stringify({ name, tags: page }));
}
