import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage } from "../../src/oci/builder/image-builder";
import { assertTagAllowed, releaseTags } from "../../src/oci/builder/image-tags";
import { IgnoreRules } from "../../src/oci/builder/ignore-rules";
import { importRootFilesystem } from "../../src/oci/image-import";
import { listLocalImages, loadLocalImage } from "../../src/oci/local-images";
import { OciStore } from "../../src/oci/oci-store";
import { makeServiceDir } from "./support/service-fixture";

let root: string;
let store: OciStore;
let service: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-builder-"));
  store = await OciStore.open(join(root, "oci"));
  service = await makeServiceDir();
  const rootfs = join(root, "rootfs");
  execFileSync("mkdir", ["-p", join(rootfs, "bin"), join(rootfs, "etc")]);
  await writeFile(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  await importRootFilesystem(store, { source: rootfs, tag: "tiny-base:1" });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(service, { recursive: true, force: true });
});

function layerListing(digest: string): string[] {
  return execFileSync("tar", ["-tvzf", store.blobs.pathOf(digest)], { encoding: "utf8" }).trim().split("\n");
}

describe("daemonless image builder", () => {
  it("puts dependencies and sources in separate layers, skipping .git, ignored files and node_modules in sources", async () => {
    const built = await buildImage(store, { contextDir: service, tag: "hello:v1.0.0", base: "tiny-base:1", revision: "abc1234", source: "https://git.example/hello", version: "1.0.0", exposedPorts: ["8080"] });
    expect(built.layers.map((layer) => layer.role)).toEqual(["base", "dependencies", "sources"]);
    const deps = layerListing(built.layers[1]?.digest ?? "").map((line) => line.split(/\s+/).pop());
    expect(deps).toEqual(["app/", "app/node_modules/", "app/node_modules/left-pad/", "app/node_modules/left-pad/index.js", "app/package-lock.json", "app/package.json"]);
    const sourceLines = layerListing(built.layers[2]?.digest ?? "");
    expect(sourceLines.map((line) => line.split(/\s+/).pop())).toEqual(["app/", "app/.dockerignore", "app/lib/", "app/lib/greeting.js", "app/server.js"]);
    for (const line of sourceLines) expect(line).toMatch(/^[-d]rw.r..r.. root\/root .* 1970-01-01 00:00 /);
  });

  it("writes the config: Cmd, Env, WorkingDir, ExposedPorts and the OCI labels and annotations", async () => {
    const image = await loadLocalImage(store, "hello:v1.0.0");
    expect(image.config.config?.Cmd).toEqual(["node", "server.js"]);
    expect(image.config.config?.WorkingDir).toBe("/app");
    expect(image.config.config?.Env).toContain("NODE_ENV=production");
    expect(image.config.config?.ExposedPorts).toEqual({ "8080/tcp": {} });
    expect(image.config.config?.Labels).toMatchObject({ "org.opencontainers.image.revision": "abc1234", "org.opencontainers.image.version": "1.0.0", "org.opencontainers.image.source": "https://git.example/hello", "org.opencontainers.image.created": "1970-01-01T00:00:00Z" });
    expect(image.image.annotations?.["org.opencontainers.image.revision"]).toBe("abc1234");
    expect(image.config.rootfs.diff_ids).toHaveLength(3);
  });

  it("is reproducible: the same input gives the same digest, in another store without any cache", async () => {
    const first = await buildImage(store, { contextDir: service, tag: "hello:again", base: "tiny-base:1", revision: "abc1234" });
    const other = await OciStore.open(join(root, "other-oci"));
    await importRootFilesystem(other, { source: join(root, "rootfs"), tag: "tiny-base:1" });
    const second = await buildImage(other, { contextDir: service, tag: "hello:again", base: "tiny-base:1", revision: "abc1234" });
    expect(second.digest).toBe(first.digest);
  });

  it("reuses the dependency layer after a source-only change", async () => {
    const before = await buildImage(store, { contextDir: service, tag: "hello:before", base: "tiny-base:1" });
    await writeFile(join(service, "lib", "greeting.js"), "module.exports = 'hello again';\n");
    const after = await buildImage(store, { contextDir: service, tag: "hello:after", base: "tiny-base:1" });
    expect(after.layers[1]?.digest).toBe(before.layers[1]?.digest);
    expect(after.layers[2]?.digest).not.toBe(before.layers[2]?.digest);
  });

  it("lists local images", async () => {
    const images = await listLocalImages(store);
    expect(images.map((image) => `${image.repository}:${image.tag}`)).toContain("hello:v1.0.0");
  });

  it("imports a root filesystem as a single-layer image with its modes kept", async () => {
    const image = await loadLocalImage(store, "tiny-base:1");
    expect(image.image.layers).toHaveLength(1);
    expect(layerListing(image.image.layers[0]?.digest ?? "").map((line) => line.split(/\s+/).pop())).toEqual(["bin/", "etc/", "etc/passwd"]);
  });
});

describe("tags and ignore rules", () => {
  it("makes release tags and refuses latest for protected environments", () => {
    expect(releaseTags("1.2.3", "0123456789abcdef")).toEqual(["v1.2.3", "sha-0123456"]);
    expect(() => assertTagAllowed("latest", { protectedEnvironment: true })).toThrow(/protected/);
    expect(() => assertTagAllowed("latest", { protectedEnvironment: false })).not.toThrow();
    expect(() => assertTagAllowed("v1.2.3", { protectedEnvironment: true })).not.toThrow();
    expect(() => assertTagAllowed("bad tag", { protectedEnvironment: false })).toThrow();
  });

  it("matches .dockerignore patterns with exceptions", () => {
    const rules = IgnoreRules.parse("*.log\n!keep.log\ndocs/**\n**/tmp\n");
    expect(rules.ignores("a.log")).toBe(true);
    expect(rules.ignores("keep.log")).toBe(false);
    expect(rules.ignores("docs/x/y.md")).toBe(true);
    expect(rules.ignores("src/tmp/file")).toBe(true);
    expect(rules.ignores("src/a.js")).toBe(false);
  });
});
