/** Image layers unpacked with OCI whiteouts and chroot-like symlink rules, and the process computed from the image config as Kubernetes does. */

import { mkdtemp, readFile, readlink, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarStream, type TarEntry } from "../../src/oci/builder/tar-writer";
import type { ContainerSpec } from "../../src/runtime/types";
import { ImageRootCache, layerChain } from "../../src/runtime/local/image-cache";
import { imageArgv, imageProcess } from "../../src/runtime/local/image-process";
import type { FetchedImage, ImageSource } from "../../src/runtime/local/image-source";
import { applyLayer, resolveInRoot } from "../../src/runtime/local/image-unpack";

const file = (path: string, content: string, mode = 0o644): TarEntry => ({ path, type: "file", mode, mtime: 0, content: Buffer.from(content) });
const dir = (path: string): TarEntry => ({ path, type: "directory", mode: 0o755, mtime: 0 });
const link = (path: string, target: string): TarEntry => ({ path, type: "symlink", mode: 0o777, mtime: 0, linkTarget: target });

async function tarBytes(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(entries)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("image layers", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "slipway-image-"));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("applies files, whiteouts and opaque directories layer over layer (gzip and plain tar)", async () => {
    const root = join(work, "whiteouts");
    const lower = await tarBytes([dir("app"), file("app/keep.txt", "keep"), file("app/gone.txt", "gone"), dir("cache"), file("cache/old-1", "1"), file("cache/old-2", "2"), file("etc/motd", "v1")]);
    const upper = await tarBytes([
      file("app/.wh.gone.txt", ""),
      dir("cache"),
      file("cache/new", "fresh"),
      file("cache/.wh..wh..opq", ""),
      file("etc/motd", "v2"),
      link("usr-bin", "/usr/bin"),
    ]);
    await applyLayer(root, Readable.from([gzipSync(lower)]));
    await applyLayer(root, Readable.from([upper]));
    expect(await readFile(join(root, "app/keep.txt"), "utf8")).toBe("keep");
    await expect(stat(join(root, "app/gone.txt"))).rejects.toThrow(/ENOENT/);
    // The opaque marker hides the lower layer's files but keeps what its own layer put there, whatever the order.
    expect((await readdir(join(root, "cache"))).sort()).toEqual(["new"]);
    expect(await readFile(join(root, "etc/motd"), "utf8")).toBe("v2");
    expect(await readlink(join(root, "usr-bin"))).toBe("/usr/bin");
  });

  it("never writes outside the root: absolute symlinks and .. resolve inside it", async () => {
    const root = join(work, "escape");
    const outside = join(work, "outside");
    await applyLayer(root, Readable.from([await tarBytes([link("evil", outside), link("up", "../../.."), dir("real")])]));
    await applyLayer(root, Readable.from([await tarBytes([file("evil/planted", "x"), file("up/also", "y"), file("../../climb", "z")])]));
    await expect(stat(join(outside, "planted"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(root, outside, "planted"), "utf8")).toBe("x");
    expect(await readFile(join(root, "also"), "utf8")).toBe("y");
    expect(await readFile(join(root, "climb"), "utf8")).toBe("z");
    expect(await resolveInRoot(root, "/up/../../real")).toBe(join(root, "real"));
  });

  it("fails a truncated layer (plain or gzip) instead of hanging, and caches nothing half-unpacked", async () => {
    const whole = await tarBytes([file("a.txt", "x".repeat(5000))]);
    await expect(applyLayer(join(work, "cut-plain"), Readable.from([whole.subarray(0, 1500)]))).rejects.toThrow(/truncated/);
    await expect(applyLayer(join(work, "cut-gzip"), Readable.from([gzipSync(whole).subarray(0, 40)]))).rejects.toThrow(/unexpected end|truncated/i);
    const broken: ImageSource = {
      fetch: async () => ({ digest: `sha256:${"b".repeat(64)}`, config: { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }, layers: [{ digest: "sha256:cut", open: async () => Readable.from([whole.subarray(0, 1500)]) }] }),
    };
    const cache = new ImageRootCache(join(work, "broken-cache"), broken);
    await expect(cache.prepare("broken:v1")).rejects.toMatchObject({ code: "IMAGE_INVALID" });
    expect(await readdir(join(work, "broken-cache", "tmp"))).toEqual([]);
    await expect(stat(cache.chainDir(layerChain(["sha256:cut"])[0]))).rejects.toThrow(/ENOENT/);
  });

  it("shares the unpacked base between images (hard links) and never changes a lower chain", async () => {
    const base = await tarBytes([dir("usr"), file("usr/big.bin", "base bytes"), file("etc/conf", "base")]);
    const appA = await tarBytes([file("etc/conf", "a"), file("app.js", "a")]);
    const appB = await tarBytes([file("usr/.wh.big.bin", ""), file("app.js", "b")]);
    const config = { architecture: "amd64", os: "linux", rootfs: { type: "layers" as const, diff_ids: [] } };
    const images: Record<string, FetchedImage> = {
      "a:v1": { digest: `sha256:${"1".repeat(64)}`, config, layers: [{ digest: "sha256:base", open: async () => Readable.from([base]) }, { digest: "sha256:a", open: async () => Readable.from([appA]) }] },
      "b:v1": { digest: `sha256:${"2".repeat(64)}`, config, layers: [{ digest: "sha256:base", open: async () => Readable.from([base]) }, { digest: "sha256:b", open: async () => Readable.from([appB]) }] },
    };
    const cache = new ImageRootCache(join(work, "shared"), { fetch: async (reference) => images[reference] });
    const [a, b] = await Promise.all([cache.prepare("a:v1"), cache.prepare("b:v1")]);
    if (!a || !b) throw new Error("no image");
    const baseRoot = cache.chainDir(layerChain(["sha256:base"])[0]);
    expect((await stat(join(a.root, "usr/big.bin"))).ino).toBe((await stat(join(baseRoot, "usr/big.bin"))).ino);
    await expect(stat(join(b.root, "usr/big.bin"))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(a.root, "etc/conf"), "utf8")).toBe("a");
    expect(await readFile(join(b.root, "etc/conf"), "utf8")).toBe("base");
    expect(await readFile(join(baseRoot, "etc/conf"), "utf8")).toBe("base");
    expect((await readdir(join(work, "shared", "rootfs"))).filter((name) => !name.endsWith(".parent"))).toHaveLength(3);
  });

  it("computes entrypoint, cmd, env, PATH and workingDir like Kubernetes, mapped onto the root", async () => {
    const layer = await tarBytes([dir("usr/local/bin"), file("usr/local/bin/tool", "#!/bin/sh\n", 0o755), dir("app"), file("app/main.js", "")]);
    const source: ImageSource = {
      fetch: async (reference): Promise<FetchedImage | undefined> =>
        reference === "tools:v1"
          ? {
              digest: `sha256:${"a".repeat(64)}`,
              config: { architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, config: { Entrypoint: ["tool"], Cmd: ["/app/main.js", "--flag"], Env: ["PATH=/usr/local/bin:/usr/bin", "MODE=image", "KEEP=1"], WorkingDir: "/app" } },
              layers: [{ digest: "sha256:tools", open: async () => Readable.from([layer]) }],
            }
          : undefined,
    };
    const cache = new ImageRootCache(join(work, "cache"), source);
    const [image, again] = await Promise.all([cache.prepare("tools:v1"), cache.prepare("tools:v1")]);
    expect(image?.root).toBe(again?.root);
    expect(await cache.prepare("missing:v1")).toBeUndefined();
    if (!image) throw new Error("no image");
    const container: ContainerSpec = { name: "c", image: "tools:v1", command: [], env: [{ name: "MODE", value: "manifest" }] };
    const process1 = await imageProcess(image, container, { MODE: "manifest", PATH: process.env.PATH ?? "" }, false);
    expect(process1.program).toBe(join(image.root, "usr/local/bin/tool"));
    expect(process1.args).toEqual([join(image.root, "app/main.js"), "--flag"]);
    expect(process1.cwd).toBe(join(image.root, "app"));
    expect(process1.env).toMatchObject({ MODE: "manifest", KEEP: "1", SLIPWAY_IMAGE_ROOT: image.root });
    expect(process1.env.PATH.split(":")[0]).toBe(join(image.root, "usr/local/bin"));
    expect(process1.env.PATH).toContain(process.env.PATH ?? "");
    // command replaces Entrypoint and drops Cmd; args alone replace Cmd.
    expect(imageArgv({ command: ["sh"], args: undefined }, image.config.config)).toEqual(["sh"]);
    expect(imageArgv({ command: [], args: ["serve"] }, image.config.config)).toEqual(["tool", "serve"]);
    await expect(imageProcess({ ...image, config: { ...image.config, config: {} } }, container, {}, false)).rejects.toMatchObject({ code: "IMAGE_INVALID" });
  });
});
