import { randomBytes } from "node:crypto";
import { utimes } from "node:fs/promises";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { sha256Digest } from "../../src/oci/digest";
import { collectGarbage } from "../../src/oci/garbage-collector";
import { mediaTypes } from "../../src/oci/media-types";
import { startTestRegistry, type TestRegistry } from "./support/registry-server";

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startTestRegistry();
  client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
});
afterAll(async () => registry.close());

async function pushBlob(repository: string, data: Buffer): Promise<string> {
  const digest = sha256Digest(data);
  await client.pushBlob(repository, { digest, size: data.length, open: () => Readable.from([data]) });
  return digest;
}

async function pushImage(repository: string, tag: string): Promise<string> {
  const layer = randomBytes(4096);
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [sha256Digest(layer)] } }));
  await pushBlob(repository, layer);
  await pushBlob(repository, config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, digest: sha256Digest(config), size: config.length }, layers: [{ mediaType: mediaTypes.ociLayerTar, digest: sha256Digest(layer), size: layer.length }] }));
  return client.putManifest(repository, tag, manifest, mediaTypes.ociManifest);
}

async function pullsCompletely(repository: string, tag: string): Promise<boolean> {
  const manifest = JSON.parse((await client.getManifest(repository, tag)).bytes.toString("utf8")) as { config: { digest: string }; layers: { digest: string }[] };
  for (const blob of [manifest.config, ...manifest.layers]) {
    const chunks: Buffer[] = [];
    for await (const chunk of (await client.getBlob(repository, blob.digest)) as AsyncIterable<Buffer>) chunks.push(chunk);
    if (sha256Digest(Buffer.concat(chunks)) !== blob.digest) return false;
  }
  return true;
}

async function age(digest: string): Promise<void> {
  const old = new Date(Date.now() - 3_600_000);
  await utimes(registry.store.blobs.pathOf(digest), old, old);
}

describe("garbage collection", () => {
  it("removes only unreferenced blobs older than the grace period; every tagged image still pulls", async () => {
    await pushImage("team/kept", "v1");
    await pushImage("team/kept", "v2");
    const deletedImage = await pushImage("team/gone", "v1");
    const orphan = await pushBlob("team/kept", randomBytes(1000));
    const youngOrphan = await pushBlob("team/kept", randomBytes(1000));
    await client.deleteManifest("team/gone", deletedImage);
    for await (const blob of registry.store.blobs.list()) if (blob.digest !== youngOrphan) await age(blob.digest);

    const report = await collectGarbage(registry.store, { gracePeriodMs: 60_000 });
    expect(report.deleted).toContain(orphan);
    expect(report.deleted).toContain(deletedImage);
    expect(report.deleted).not.toContain(youngOrphan);
    expect(report.deleted).toHaveLength(4);
    expect(await registry.store.blobs.has(youngOrphan)).toBe(true);
    expect(await pullsCompletely("team/kept", "v1")).toBe(true);
    expect(await pullsCompletely("team/kept", "v2")).toBe(true);
    expect(await client.blobExists("team/kept", orphan)).toBe(false);
  });

  it("never loses a blob to a push racing with the collection", async () => {
    const layer = randomBytes(8192);
    const layerDigest = await pushBlob("team/race", layer);
    await age(layerDigest);
    // The blob is old and unreferenced when the collection starts; a manifest naming it arrives meanwhile.
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [layerDigest] } }));
    await pushBlob("team/race", config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, digest: sha256Digest(config), size: config.length }, layers: [{ mediaType: mediaTypes.ociLayerTar, digest: layerDigest, size: layer.length }] }));
    const [report] = await Promise.all([collectGarbage(registry.store, { gracePeriodMs: 60_000 }), client.putManifest("team/race", "v1", manifest, mediaTypes.ociManifest).catch((error: unknown) => error)]);
    const pushed = await client.tagExists("team/race", "v1");
    if (pushed) expect(await pullsCompletely("team/race", "v1")).toBe(true);
    else expect(report.deleted).toContain(layerDigest);
    // Either the manifest won (and the blob is kept), or the collection won and the manifest was refused: never a tag with a missing blob.
    for (const tag of ["v1"]) if (await client.tagExists("team/race", tag)) expect(await pullsCompletely("team/race", tag)).toBe(true);
  });

  it("keeps blobs referenced only through an index", async () => {
    const child = await pushImage("team/multi", "amd64");
    const childBytes = (await client.getManifest("team/multi", child)).bytes;
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ mediaType: mediaTypes.ociManifest, digest: child, size: childBytes.length }] }));
    await client.putManifest("team/multi", "all", index, mediaTypes.ociIndex);
    await registry.store.repositories.deleteTag("team/multi", "amd64");
    for await (const blob of registry.store.blobs.list()) await age(blob.digest);
    await collectGarbage(registry.store, { gracePeriodMs: 60_000 });
    expect(await pullsCompletely("team/multi", child)).toBe(true);
  });
});
