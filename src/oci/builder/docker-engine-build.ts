/** Builds a service that has a Dockerfile through the Docker Engine (`docker build`), then brings the image into the OCI store. */

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseImageReference, referenceTarget } from "../client/image-reference";
import { sha256Digest } from "../digest";
import { localRepositoryOf } from "../local-images";
import { mediaTypes, type ImageConfig, type ImageManifest } from "../media-types";
import { importOciLayout, isOciLayout } from "../oci-layout";
import type { OciStore } from "../oci-store";
import type { BuildImageOptions, BuildImageResult, BuiltLayer } from "./image-builder";
import { writeTarAsLayer } from "./layer-writer";

const run = promisify(execFile);

export function dockerCli(): string {
  return process.env.SLIPWAY_DOCKER_CLI ?? (existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker");
}

/** True when a Docker Engine answers (the CLI is there and `docker version` reaches the daemon). */
export async function dockerEngineAvailable(): Promise<boolean> {
  return run(dockerCli(), ["version", "--format", "{{.Server.Version}}"], { timeout: 10_000 }).then(() => true, () => false);
}

export function hasDockerfile(contextDir: string): boolean {
  return existsSync(join(contextDir, "Dockerfile"));
}

export async function buildWithDockerEngine(store: OciStore, options: BuildImageOptions): Promise<BuildImageResult> {
  const target = parseImageReference(options.tag);
  const repository = localRepositoryOf(target);
  const engineTag = `slipway-build-${randomBytes(6).toString("hex")}:latest`;
  const labels = { ...(options.labels ?? {}) };
  if (options.revision) labels["org.opencontainers.image.revision"] = options.revision;
  if (options.source) labels["org.opencontainers.image.source"] = options.source;
  if (options.version) labels["org.opencontainers.image.version"] = options.version;
  const args = ["build", "--network", "host", "-t", engineTag, ...Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]), options.contextDir];
  await run(dockerCli(), args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  const work = await mkdtemp(join(tmpdir(), "slipway-docker-save-"));
  try {
    await run(dockerCli(), ["save", "-o", join(work, "image.tar"), engineTag]);
    await run("tar", ["-xf", join(work, "image.tar"), "-C", work]);
    let digest: string;
    if (await isOciLayout(work)) digest = await importOciLayout(store, work, repository, referenceTarget(target));
    else digest = await importDockerArchive(store, work, repository, referenceTarget(target));
    const image = JSON.parse((await store.blobs.readBytes(digest)).toString("utf8")) as ImageManifest;
    const config = JSON.parse((await store.blobs.readBytes(image.config.digest)).toString("utf8")) as ImageConfig;
    const layers: BuiltLayer[] = image.layers.map((layer, i) => ({ role: i === image.layers.length - 1 ? "sources" : "base", digest: layer.digest, diffId: config.rootfs.diff_ids[i] ?? "", size: layer.size }));
    return { reference: options.tag, repository, digest, configDigest: image.config.digest, layers, engine: "docker" };
  } finally {
    await rm(work, { recursive: true, force: true });
    await run(dockerCli(), ["rmi", "--no-prune", engineTag]).catch(() => undefined);
  }
}

/** `docker save`'s legacy format: manifest.json naming a config file and uncompressed layer tars. */
async function importDockerArchive(store: OciStore, dir: string, repository: string, reference: string): Promise<string> {
  const [entry] = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
  if (!entry) throw new Error("docker save produced no image");
  const layers = [];
  for (const layerPath of entry.Layers) layers.push((await writeTarAsLayer(store, repository, createReadStream(join(dir, layerPath)))).descriptor);
  const configBytes = await readFile(join(dir, entry.Config));
  const configBlob = await store.putBlob(repository, configBytes, { digest: sha256Digest(configBytes) });
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: { mediaType: mediaTypes.ociConfig, digest: configBlob.digest, size: configBlob.size }, layers };
  return (await store.putManifest(repository, reference, Buffer.from(JSON.stringify(manifest)), mediaTypes.ociManifest)).digest;
}
