import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { RegistryResponseError } from "../../src/oci/client/registry-session";
import { mediaTypes } from "../../src/oci/media-types";
import { startTestRegistry, type TestRegistry } from "./support/registry-server";

const digestOf = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const auth = { Authorization: `Basic ${Buffer.from("ci:secret-token").toString("base64")}` };

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startTestRegistry({ maxUploadBytes: 1024 * 1024 });
  client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
});
afterAll(async () => registry.close());

async function pushSmallImage(repository: string, tag: string, layerData = randomBytes(1000)): Promise<{ digest: string; manifest: Buffer }> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [digestOf(layerData)] } }));
  for (const blob of [config, layerData]) await client.pushBlob(repository, { digest: digestOf(blob), size: blob.length, open: () => Readable.from([blob]) });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: mediaTypes.ociLayerTar, digest: digestOf(layerData), size: layerData.length }],
    }),
  );
  return { digest: await client.putManifest(repository, tag, manifest, mediaTypes.ociManifest), manifest };
}

describe("embedded registry over HTTP", () => {
  it("answers GET /v2/ with the API version header, and challenges anonymous callers", async () => {
    const anonymous = await fetch(`${registry.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
    expect(anonymous.headers.get("www-authenticate")).toBe(`Bearer realm="${registry.url}/v2/token",service="slipway"`);
    const ok = await fetch(`${registry.url}/v2/`, { headers: auth });
    expect(ok.status).toBe(200);
  });

  it("challenges with the repository scope, and refuses a wrong token with 401", async () => {
    const anonymous = await fetch(`${registry.url}/v2/team/app/manifests/latest`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe(`Bearer realm="${registry.url}/v2/token",service="slipway",scope="repository:team/app:pull"`);
    expect(((await anonymous.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("UNAUTHORIZED");
    const wrong = await fetch(`${registry.url}/v2/team/app/tags/list`, { headers: { Authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const wrongToken = await fetch(`${registry.url}/v2/token?service=slipway`, { headers: { Authorization: `Basic ${Buffer.from("x:nope").toString("base64")}` } });
    expect(wrongToken.status).toBe(401);
  });

  it("trades Basic credentials for a bearer token at /v2/token (the Docker token flow)", async () => {
    const response = await fetch(`${registry.url}/v2/token?service=slipway&scope=repository:team/app:pull,push`, { headers: auth });
    const body = (await response.json()) as { token: string; access_token: string; expires_in: number };
    expect(body.token).toBe(body.access_token);
    expect(body.expires_in).toBeGreaterThan(0);
    const ok = await fetch(`${registry.url}/v2/`, { headers: { Authorization: `Bearer ${body.token}` } });
    expect(ok.status).toBe(200);
    const forged = await fetch(`${registry.url}/v2/`, { headers: { Authorization: `Bearer ${body.token.slice(0, -2)}xx` } });
    expect(forged.status).toBe(401);
  });

  it("pushes and pulls an image with the client (bearer flow), by tag and by digest", async () => {
    const { digest, manifest } = await pushSmallImage("team/app", "v1.0.0");
    const byTag = await client.getManifest("team/app", "v1.0.0");
    expect(byTag.digest).toBe(digest);
    expect(byTag.mediaType).toBe(mediaTypes.ociManifest);
    expect((await client.getManifest("team/app", digest)).bytes.equals(manifest)).toBe(true);
    expect(await client.tagExists("team/app", "v1.0.0")).toBe(true);
    expect(await client.tagExists("team/app", "v9.9.9")).toBe(false);
    const head = await fetch(`${registry.url}/v2/team/app/manifests/v1.0.0`, { method: "HEAD", headers: auth });
    expect(head.headers.get("docker-content-digest")).toBe(digest);
    expect(head.headers.get("content-length")).toBe(String(manifest.length));
  });

  it("serves blob ranges and HEAD with the length", async () => {
    const data = randomBytes(5000);
    await pushSmallImage("team/ranges", "t", data);
    const head = await fetch(`${registry.url}/v2/team/ranges/blobs/${digestOf(data)}`, { method: "HEAD", headers: auth });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("5000");
    const part = await fetch(`${registry.url}/v2/team/ranges/blobs/${digestOf(data)}`, { headers: { ...auth, Range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);
    const unknown = await fetch(`${registry.url}/v2/team/ranges/blobs/${digestOf(Buffer.from("nope"))}`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("BLOB_UNKNOWN");
  });

  it("uploads in chunks with Content-Range and answers 416 to an out-of-order chunk", async () => {
    const data = randomBytes(300_000);
    expect(await client.pushBlob("team/chunked", { digest: digestOf(data), size: data.length, open: (r) => Readable.from([r ? data.subarray(r.start, r.end + 1) : data]) }, { chunkSize: 100_000 })).toBe("uploaded");
    const blob = await client.getBlob("team/chunked", digestOf(data));
    const chunks: Buffer[] = [];
    for await (const chunk of blob as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);

    const start = await fetch(`${registry.url}/v2/team/chunked/blobs/uploads/`, { method: "POST", headers: auth });
    expect(start.status).toBe(202);
    const location = new URL(start.headers.get("location") ?? "", registry.url);
    const first = await fetch(location, { method: "PATCH", headers: { ...auth, "Content-Range": "0-9", "Content-Type": "application/octet-stream" }, body: data.subarray(0, 10) });
    expect(first.status).toBe(202);
    expect(first.headers.get("range")).toBe("0-9");
    const skipped = await fetch(location, { method: "PATCH", headers: { ...auth, "Content-Range": "20-29", "Content-Type": "application/octet-stream" }, body: data.subarray(20, 30) });
    expect(skipped.status).toBe(416);
  });

  it("refuses a wrong digest with DIGEST_INVALID and stores nothing", async () => {
    const before = await readdir(join(registry.dir, "blobs", "sha256"));
    const uploadsBefore = await readdir(join(registry.dir, "uploads"));
    const data = randomBytes(2000);
    const wrong = digestOf(Buffer.from("something else"));
    const monolithic = await fetch(`${registry.url}/v2/team/bad/blobs/uploads/?digest=${wrong}`, { method: "POST", headers: { ...auth, "Content-Type": "application/octet-stream" }, body: data });
    expect(monolithic.status).toBe(400);
    expect(((await monolithic.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("DIGEST_INVALID");
    const start = await fetch(`${registry.url}/v2/team/bad/blobs/uploads/`, { method: "POST", headers: auth });
    const location = new URL(start.headers.get("location") ?? "", registry.url);
    location.searchParams.set("digest", wrong);
    const finish = await fetch(location, { method: "PUT", headers: { ...auth, "Content-Type": "application/octet-stream" }, body: data });
    expect(((await finish.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("DIGEST_INVALID");
    expect(await readdir(join(registry.dir, "blobs", "sha256"))).toEqual(before);
    expect(await readdir(join(registry.dir, "uploads"))).toEqual(uploadsBefore);
    expect((await readdir(join(registry.dir, "tmp"))).length).toBe(0);
  });

  it("answers 413 to an upload over the maximum size", async () => {
    const data = randomBytes(1024 * 1024 + 1);
    const response = await fetch(`${registry.url}/v2/team/big/blobs/uploads/?digest=${digestOf(data)}`, { method: "POST", headers: { ...auth, "Content-Type": "application/octet-stream" }, body: data });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { errors: { code: string; message: string }[] }).errors[0]?.message).toMatch(/maximum size/);
  });

  it("keeps concurrent pushes of the same blob safe", async () => {
    const data = randomBytes(200_000);
    const source = { digest: digestOf(data), size: data.length, open: () => Readable.from([data]) };
    const clients = Array.from({ length: 6 }, () => new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } }));
    await Promise.all(clients.map((c, i) => c.pushBlob(`team/race${i % 2}`, source)));
    for (const repository of ["team/race0", "team/race1"]) expect(await client.blobExists(repository, source.digest)).toBe(true);
  });

  it("mounts a blob from another repository", async () => {
    const data = randomBytes(1000);
    await pushSmallImage("team/source", "v1", data);
    expect(await client.pushBlob("team/target", { digest: digestOf(data), size: data.length, open: () => Readable.from([data]) }, { mountFrom: "team/source" })).toBe("mounted");
  });

  it("refuses manifests whose blobs are unknown, and invalid manifests", async () => {
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, digest: digestOf(Buffer.from("x")), size: 1 }, layers: [] });
    await expect(client.putManifest("team/app", "broken", Buffer.from(manifest), mediaTypes.ociManifest)).rejects.toMatchObject({ code: "MANIFEST_BLOB_UNKNOWN" });
    await expect(client.putManifest("team/app", "broken", Buffer.from("{"), mediaTypes.ociManifest)).rejects.toMatchObject({ code: "MANIFEST_INVALID" });
    await expect(client.getManifest("team/app", "missing")).rejects.toBeInstanceOf(RegistryResponseError);
  });

  it("passes image indexes and Docker manifest lists through", async () => {
    const { digest, manifest } = await pushSmallImage("team/multi", "amd64");
    for (const mediaType of [mediaTypes.ociIndex, mediaTypes.dockerManifestList]) {
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: [{ mediaType: mediaTypes.ociManifest, digest, size: manifest.length, platform: { architecture: "amd64", os: "linux" } }] }));
      await client.putManifest("team/multi", "all", index, mediaType);
      const pulled = await client.getManifest("team/multi", "all");
      expect(pulled.mediaType).toBe(mediaType);
      expect(pulled.bytes.equals(index)).toBe(true);
    }
  });

  it("lists tags with n/last pagination and a Link header", async () => {
    for (const tag of ["a", "b", "c", "d", "e"]) await pushSmallImage("team/paged", tag, Buffer.from("same layer"));
    const first = await fetch(`${registry.url}/v2/team/paged/tags/list?n=2`, { headers: auth });
    expect(await first.json()).toEqual({ name: "team/paged", tags: ["a", "b"] });
    expect(first.headers.get("link")).toBe('</v2/team/paged/tags/list?n=2&last=b>; rel="next"');
    expect(await client.listAllTags("team/paged", 2)).toEqual(["a", "b", "c", "d", "e"]);
    const unknown = await fetch(`${registry.url}/v2/team/nothing/tags/list`, { headers: auth });
    expect(((await unknown.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("NAME_UNKNOWN");
  });

  it("deletes manifests and tags, and rejects invalid names", async () => {
    const { digest } = await pushSmallImage("team/deleting", "v1");
    await client.deleteManifest("team/deleting", digest);
    expect(await client.tagExists("team/deleting", "v1")).toBe(false);
    const invalid = await fetch(`${registry.url}/v2/Team/UPPER/tags/list`, { headers: auth });
    expect(((await invalid.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe("NAME_INVALID");
  });

  it("lets a reader pull but not push (DENIED), and anyone pull a public repository", async () => {
    await pushSmallImage("public/base", "v1");
    const reader = new RegistryClient({ registry: registry.host, credentials: { username: "r", password: "read-token" } });
    expect(await reader.tagExists("team/app", "v1.0.0")).toBe(true);
    const data = Buffer.from("reader blob");
    await expect(reader.pushBlob("team/app", { digest: digestOf(data), size: data.length, open: () => Readable.from([data]) })).rejects.toMatchObject({ status: 403, code: "DENIED" });
    const anonymous = new RegistryClient({ registry: registry.host });
    expect(await anonymous.tagExists("public/base", "v1")).toBe(true);
    await expect(anonymous.tagExists("team/app", "v1.0.0")).rejects.toMatchObject({ status: 401 });
  });
});
