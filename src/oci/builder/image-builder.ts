/**
 * The daemonless builder: base image + service directory → OCI image with the dependencies (package.json,
 * lock file, node_modules) in a layer apart from the sources, reproducible byte for byte.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseImageReference, referenceTarget } from "../client/image-reference";
import type { RegistryCredentials } from "../client/registry-session";
import { sha256Digest } from "../digest";
import { localRepositoryOf } from "../local-images";
import { mediaTypes, type Descriptor, type ImageManifest } from "../media-types";
import type { OciStore } from "../oci-store";
import { resolveBaseImage } from "./base-image";
import { collectFileTree, prefixDirectories } from "./file-tree";
import { IgnoreRules } from "./ignore-rules";
import { buildImageConfig } from "./image-config";
import { writeLayerCached } from "./layer-cache";
import type { WrittenLayer } from "./layer-writer";

export interface BuildImageOptions {
  contextDir: string;
  /** Reference to tag the result with locally, e.g. `app:v1.2.0` or `127.0.0.1:5000/team/app:v1.2.0`. */
  tag: string;
  additionalTags?: string[];
  /** `scratch`, a local image, a registry reference, or an OCI layout dir (`oci:DIR[:name]`). Default `node-base:20`. */
  base?: string;
  baseCredentials?: RegistryCredentials;
  workingDir?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  exposedPorts?: string[];
  user?: string;
  labels?: Record<string, string>;
  revision?: string;
  source?: string;
  version?: string;
  /** Seconds since the epoch for file mtimes and `created`; default SOURCE_DATE_EPOCH, else 0. */
  sourceDateEpoch?: number;
}

export interface BuiltLayer {
  role: "base" | "dependencies" | "sources";
  digest: string;
  diffId: string;
  size: number;
}

export interface BuildImageResult {
  reference: string;
  repository: string;
  digest: string;
  configDigest: string;
  layers: BuiltLayer[];
  engine: "slipway" | "docker";
}

export const dependencyFiles = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"];
const alwaysIgnored = [".git", ".slipway-cache"];

function sourceDateEpoch(options: BuildImageOptions): number {
  if (options.sourceDateEpoch !== undefined) return options.sourceDateEpoch;
  const fromEnv = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? Math.floor(fromEnv) : 0;
}

async function readPackageMain(contextDir: string): Promise<string | undefined> {
  const text = await readFile(join(contextDir, "package.json"), "utf8").catch(() => undefined);
  if (!text) return undefined;
  const json = JSON.parse(text) as { main?: unknown };
  return typeof json.main === "string" ? json.main : "index.js";
}

export async function buildImage(store: OciStore, options: BuildImageOptions): Promise<BuildImageResult> {
  const target = parseImageReference(options.tag);
  const repository = localRepositoryOf(target);
  const epoch = sourceDateEpoch(options);
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  const workingDir = options.workingDir ?? "/app";
  const prefix = workingDir.replace(/^\/+|\/+$/g, "");
  const ignore = IgnoreRules.parse([...alwaysIgnored, (await readFile(join(options.contextDir, ".dockerignore"), "utf8").catch(() => ""))].join("\n"));
  const base = await resolveBaseImage(store, options.base ?? "node-base:20", repository, { credentials: options.baseCredentials });

  const isDependency = (path: string): boolean => dependencyFiles.includes(path) || path === "node_modules" || path.startsWith("node_modules/");
  const dependencies = await collectFileTree(options.contextDir, { prefix, mtime: epoch, include: (path) => isDependency(path) && !ignore.ignores(path) });
  const sources = await collectFileTree(options.contextDir, { prefix, mtime: epoch, include: (path) => !isDependency(path) && !ignore.ignores(path) });

  const written: { role: BuiltLayer["role"]; layer: WrittenLayer }[] = [];
  // The dependency layer rarely changes: reuse it without re-archiving while its files are untouched.
  if (dependencies.length > 0) written.push({ role: "dependencies", layer: await writeLayerCached(store, repository, [...prefixDirectories(prefix, epoch), ...dependencies]) });
  written.push({ role: "sources", layer: await writeLayerCached(store, repository, [...prefixDirectories(prefix, epoch), ...sources]) });

  const main = await readPackageMain(options.contextDir);
  const labels: Record<string, string> = { "org.opencontainers.image.created": created, ...(options.labels ?? {}) };
  if (options.revision) labels["org.opencontainers.image.revision"] = options.revision;
  if (options.source) labels["org.opencontainers.image.source"] = options.source;
  if (options.version) labels["org.opencontainers.image.version"] = options.version;
  const config = buildImageConfig(
    base.config,
    written.map((entry) => entry.layer.diffId),
    {
      entrypoint: options.entrypoint,
      cmd: options.cmd ?? (main ? ["node", main] : undefined),
      env: { NODE_ENV: "production", ...(options.env ?? {}) },
      workingDir,
      exposedPorts: options.exposedPorts,
      user: options.user,
      labels,
    },
    created,
    written.map((entry) => `slipway build: ${entry.role} → ${workingDir}`),
  );
  const configBytes = Buffer.from(JSON.stringify(config));
  const configBlob = await store.putBlob(repository, configBytes, { digest: sha256Digest(configBytes) });
  const baseLayers: Descriptor[] = (base.manifest?.layers ?? []).map((layer) => ({
    ...layer,
    mediaType: layer.mediaType === mediaTypes.dockerLayerGzip ? mediaTypes.ociLayerGzip : layer.mediaType,
  }));
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: configBlob.digest, size: configBlob.size },
    layers: [...baseLayers, ...written.map((entry) => entry.layer.descriptor)],
    annotations: Object.fromEntries(Object.entries(labels).filter(([key]) => key.startsWith("org.opencontainers.image."))),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const tags = [options.tag, ...(options.additionalTags ?? [])].map((text) => parseImageReference(text));
  let digest = "";
  for (const reference of tags) {
    const tagRepository = localRepositoryOf(reference);
    if (tagRepository !== repository) for (const blob of [manifest.config, ...manifest.layers]) await store.repositories.linkBlob(tagRepository, blob.digest);
    digest = (await store.putManifest(tagRepository, referenceTarget(reference), manifestBytes, mediaTypes.ociManifest)).digest;
  }
  const baseBuilt: BuiltLayer[] = baseLayers.map((layer, i) => ({ role: "base", digest: layer.digest, diffId: base.config.rootfs.diff_ids[i] ?? "", size: layer.size }));
  const ours: BuiltLayer[] = written.map((entry) => ({ role: entry.role, digest: entry.layer.descriptor.digest, diffId: entry.layer.diffId, size: entry.layer.descriptor.size }));
  return { reference: options.tag, repository, digest, configDigest: configBlob.digest, layers: [...baseBuilt, ...ours], engine: "slipway" };
}
