/** Unpacked image roots are garbage-collected: what a running replica needs stays, what nothing used for a while goes. */

import { mkdtemp, readdir, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarStream, type TarEntry } from "../../src/oci/builder/tar-writer";
import { ImageRootCache, layerChain } from "../../src/runtime/local/image-cache";
import type { FetchedImage } from "../../src/runtime/local/image-source";
import { ProcessReplicaDriver } from "../../src/runtime/local/process-driver";
import { ReplicaRegistry } from "../../src/runtime/local/replica-registry";
import { readProcessEntrySync } from "../../src/workflow/executors/host/proc-table";

const file = (path: string, content: string): TarEntry => ({ path, type: "file", mode: 0o644, mtime: 0, content: Buffer.from(content) });

async function tarBytes(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(entries)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const day = 24 * 60 * 60 * 1000;
const config = { architecture: "amd64", os: "linux", rootfs: { type: "layers" as const, diff_ids: [] } };

/** Images a, b and c on one base layer: chains base, base+a, base+b, base+c. */
async function images(): Promise<Record<string, FetchedImage>> {
  const base = await tarBytes([file("usr/lib/base.txt", "base")]);
  const layer = (digest: string, bytes: Buffer) => ({ digest, open: async () => Readable.from([bytes]) });
  const image = (name: string, digit: string) => async (): Promise<FetchedImage> => ({
    digest: `sha256:${digit.repeat(64)}`,
    config,
    layers: [layer("sha256:base", base), layer(`sha256:${name}`, await tarBytes([file("app.js", name)]))],
  });
  return { "a:v1": await image("a", "1")(), "b:v1": await image("b", "2")(), "c:v1": await image("c", "3")() };
}

const chainIds = (top: string): string[] => layerChain(["sha256:base", `sha256:${top}`]);

describe("image root collection", () => {
  let work: string;
  let source: Record<string, FetchedImage>;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "slipway-image-gc-"));
    source = await images();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function makeOld(cache: ImageRootCache, ids: string[]): Promise<void> {
    const then = new Date(Date.now() - 2 * day);
    for (const id of ids) await utimes(cache.chainDir(id), then, then);
  }

  it("keeps a root in use with every chain below it, and removes chains unused for longer than asked", async () => {
    const dir = join(work, "keep");
    const cache = new ImageRootCache(dir, { fetch: async (reference) => source[reference] });
    const [a, b] = await Promise.all([cache.prepare("a:v1"), cache.prepare("b:v1")]);
    if (!a || !b) throw new Error("no image");
    const [baseId, aId] = chainIds("a");
    const bId = chainIds("b")[1];
    await makeOld(cache, [baseId, aId, bId]);

    const first = await cache.collect([join(a.root, "app.js")], day);
    expect(first).toEqual({ removed: [bId], kept: 2 });
    await expect(stat(b.root)).rejects.toThrow(/ENOENT/);
    expect((await stat(join(a.root, "usr/lib/base.txt"))).isFile()).toBe(true);

    // Used again just now: kept however old it was, and whatever is not in use.
    await cache.prepare("a:v1");
    expect(await cache.collect([], day)).toEqual({ removed: [], kept: 2 });
    await makeOld(cache, [baseId, aId]);
    expect((await cache.collect([], day)).removed.sort()).toEqual([baseId, aId].sort());
    expect(await readdir(join(dir, "rootfs"))).toEqual([]);
    expect((await readdir(join(dir, "tmp"))).filter((name) => name.startsWith("collected-"))).toEqual([]);

    // Gone is not broken: the next prepare unpacks it again.
    const again = await cache.prepare("b:v1");
    expect((await stat(join(again?.root ?? "", "app.js"))).isFile()).toBe(true);
  });

  it("never removes a root while it is being prepared", async () => {
    const cache = new ImageRootCache(join(work, "racing"), { fetch: async (reference) => source[reference] });
    const [c, , a] = await Promise.all([cache.prepare("c:v1"), cache.collect([], 0), cache.prepare("a:v1"), cache.collect([], 0)]);
    // Whatever ran first, the roots handed out were complete when handed out; anything removed later unpacks again.
    for (const [image, name] of [[c, "c"], [a, "a"]] as const) {
      const root = image?.root ?? "";
      const present = await stat(root).then(() => true, () => false);
      if (present) expect((await stat(join(root, "app.js"))).isFile()).toBe(true);
      else expect((await cache.prepare(`${name}:v1`))?.root).toBe(root);
    }
  });

  it("through the process driver: the roots of recorded, running replicas are kept, even after a restart", async () => {
    const dir = join(work, "driver");
    const cache = new ImageRootCache(join(dir, "images"), { fetch: async (reference) => source[reference] });
    const [a, b] = await Promise.all([cache.prepare("a:v1"), cache.prepare("b:v1")]);
    if (!a || !b) throw new Error("no image");
    await makeOld(cache, [...chainIds("a"), chainIds("b")[1]]);
    // A replica record as a running replica leaves it: this test process stands in for the replica.
    const registry = new ReplicaRegistry(join(dir, "records"));
    const startTime = readProcessEntrySync(process.pid)?.startTime ?? 0;
    const record = { version: 1 as const, namespace: "dev", workload: { kind: "Deployment" as const, name: "web" }, revision: "r1", ports: [], pid: process.pid, startTime, trackingId: "t", startedAt: Date.now() };
    registry.write({ ...record, name: "web-1", cwd: dir, imageRoot: a.root });
    // A record from before imageRoot was recorded keeps the root its working directory lies in.
    registry.write({ ...record, name: "web-2", cwd: join(b.root, "srv") });

    const driver = new ProcessReplicaDriver({ stateDir: join(dir, "records"), images: cache, imageRetentionMs: day });
    expect(await driver.collectImageRoots()).toEqual({ removed: [], kept: 3 });
    registry.remove("dev", "web-2", process.pid);
    expect(await driver.collectImageRoots()).toEqual({ removed: [chainIds("b")[1]], kept: 2 });
    expect(await new ProcessReplicaDriver({ images: cache }).collectImageRoots()).toBeUndefined();
  });
});
