/** `slipway image build|push|ls|inspect|import`: local OCI images under the data dir, pushed to any registry. */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import { buildServiceImage, type BuildEngineChoice } from "../../oci/builder/build-service-image";
import { parseImageReference, referenceTarget } from "../../oci/client/image-reference";
import { pushImageFromStore } from "../../oci/client/image-transfer";
import { RegistryClient } from "../../oci/client/registry-client";
import type { RegistryCredentials } from "../../oci/client/registry-session";
import { importRootFilesystem } from "../../oci/image-import";
import { listLocalImages, loadLocalImage, localImageStoreDir, localRepositoryOf } from "../../oci/local-images";
import { OciStore } from "../../oci/oci-store";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";

interface CommonFlags {
  data?: string;
  json?: boolean;
}

interface BuildFlags extends CommonFlags {
  tag: string[];
  base?: string;
  engine: string;
  env: string[];
  port: string[];
  cmd?: string;
  entrypoint?: string;
  user?: string;
  revision?: string;
  version?: string;
  source?: string;
}

interface PushFlags extends CommonFlags {
  creds?: string;
  chunkSize?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function openStore(flags: CommonFlags): Promise<OciStore> {
  return OciStore.open(localImageStoreDir(flags.data));
}

/** `--creds USER:TOKEN`, else SLIPWAY_REGISTRY_TOKEN (any user name: slipway reads the token). */
export function credentialsFrom(creds: string | undefined): RegistryCredentials | undefined {
  if (creds) {
    const colon = creds.indexOf(":");
    if (colon < 0) throw new SlipwayError("USAGE", "--creds expects USER:TOKEN");
    return { username: creds.slice(0, colon), password: creds.slice(colon + 1) };
  }
  const token = process.env.SLIPWAY_REGISTRY_TOKEN;
  return token ? { username: process.env.SLIPWAY_REGISTRY_USER ?? "slipway", password: token } : undefined;
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new SlipwayError("USAGE", `--env expects KEY=VALUE, got ${pair}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function splitCommand(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text.trim().startsWith("[") ? (JSON.parse(text) as string[]) : text.split(/\s+/).filter(Boolean);
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function registerImageCommand(program: Command): void {
  const image = program.command("image").description("build, import, list, inspect and push OCI images");
  const dataOption = ["--data <dir>", "the data directory (default: $SLIPWAY_DATA or ~/.local/share/slipway)"] as const;

  image
    .command("build")
    .description("build an image from a service directory (daemonless; `docker build` when it has a Dockerfile and Docker answers)")
    .argument("<dir>", "the service directory")
    .requiredOption("-t, --tag <ref>", "reference to tag the image with (repeatable)", collect, [])
    .option("--base <ref>", "base image: local name, registry reference, oci:DIR[:name] or scratch", "node-base:20")
    .option("--engine <engine>", "auto, slipway or docker", "auto")
    .option("-e, --env <KEY=VALUE>", "environment variable (repeatable)", collect, [])
    .option("-p, --port <port>", "exposed port (repeatable)", collect, [])
    .option("--cmd <command>", "Cmd, as words or a JSON array (default: node <package.json main>)")
    .option("--entrypoint <command>", "Entrypoint, as words or a JSON array")
    .option("--user <user>", "User to run as")
    .option("--revision <sha>", "org.opencontainers.image.revision")
    .option("--version <version>", "org.opencontainers.image.version")
    .option("--source <url>", "org.opencontainers.image.source")
    .option("--json", "print the result as JSON")
    .option(...dataOption)
    .action(action(async (dir: string, flags: BuildFlags) => {
      if (!["auto", "slipway", "docker"].includes(flags.engine)) throw new SlipwayError("USAGE", "--engine is auto, slipway or docker");
      const [tag, ...additionalTags] = flags.tag;
      if (!tag) throw new SlipwayError("USAGE", "--tag is required");
      const store = await openStore(flags);
      const started = Date.now();
      const result = await buildServiceImage(store, {
        contextDir: dir,
        tag,
        additionalTags,
        base: flags.base,
        engine: flags.engine as BuildEngineChoice,
        env: parseEnv(flags.env),
        exposedPorts: flags.port,
        cmd: splitCommand(flags.cmd),
        entrypoint: splitCommand(flags.entrypoint),
        user: flags.user,
        revision: flags.revision,
        version: flags.version,
        source: flags.source,
      });
      if (flags.json) return printJson({ ...result, tags: flags.tag, durationMs: Date.now() - started });
      process.stdout.write(`built ${flags.tag.join(", ")} → ${result.digest} (${result.engine}, ${Date.now() - started} ms)\n`);
      const rows = result.layers.map((layer) => [layer.role, layer.digest.slice(0, 19), formatSize(layer.size)]);
      process.stdout.write(`${renderTable(["LAYER", "DIGEST", "SIZE"], rows)}\n`);
    }));

  image
    .command("push")
    .description("push a local image to its registry (or to DEST)")
    .argument("<ref>", "local image, e.g. 127.0.0.1:8080/team/app:v1.2.0")
    .argument("[dest]", "registry reference to push to (default: REF itself)")
    .option("--creds <user:token>", "registry credentials (default: $SLIPWAY_REGISTRY_TOKEN)")
    .option("--chunk-size <bytes>", "upload in chunks of this size")
    .option("--json", "print the result as JSON")
    .option(...dataOption)
    .action(action(async (ref: string, dest: string | undefined, flags: PushFlags) => {
      const store = await openStore(flags);
      const local = await loadLocalImage(store, ref);
      const target = parseImageReference(dest ?? ref);
      if (!target.registry) throw new SlipwayError("USAGE", `${dest ?? ref} names no registry: use host[:port]/name:tag`);
      const client = new RegistryClient({ registry: target.registry, credentials: credentialsFrom(flags.creds) });
      const result = await pushImageFromStore(store, local.repository, referenceTarget(local.reference), client, target.repository, [referenceTarget(target)], {
        chunkSize: flags.chunkSize ? Number(flags.chunkSize) : undefined,
      });
      if (flags.json) return printJson({ reference: dest ?? ref, ...result });
      process.stdout.write(`pushed ${dest ?? ref} → ${result.digest} (blobs: ${result.blobs.uploaded} uploaded, ${result.blobs.exists} already there, ${result.blobs.mounted} mounted)\n`);
    }));

  image
    .command("ls")
    .description("list local images")
    .option("--json", "print the images as JSON")
    .option(...dataOption)
    .action(action(async (flags: CommonFlags) => {
      const images = await listLocalImages(await openStore(flags));
      if (flags.json) return printJson(images);
      if (images.length === 0) return void process.stdout.write("No local images. Build one with `slipway image build DIR --tag NAME:TAG`.\n");
      const rows = images.map((entry) => [entry.repository, entry.tag, entry.digest.slice(0, 19), formatSize(entry.size), entry.created ?? ""]);
      process.stdout.write(`${renderTable(["REPOSITORY", "TAG", "DIGEST", "SIZE", "CREATED"], rows)}\n`);
    }));

  image
    .command("inspect")
    .description("show a local image's manifest and config")
    .argument("<ref>", "local image")
    .option("--json", "print { reference, digest, manifest, config } as JSON")
    .option(...dataOption)
    .action(action(async (ref: string, flags: CommonFlags) => {
      const local = await loadLocalImage(await openStore(flags), ref);
      const summary = { reference: ref, repository: localRepositoryOf(local.reference), digest: local.manifest.digest, mediaType: local.manifest.mediaType, manifest: local.image, config: local.config };
      if (flags.json) return printJson(summary);
      const container = local.config.config ?? {};
      const lines = [
        `${ref}  ${local.manifest.digest}`,
        `  platform    ${local.config.os}/${local.config.architecture}`,
        `  created     ${local.config.created ?? "-"}`,
        `  entrypoint  ${JSON.stringify(container.Entrypoint ?? null)}`,
        `  cmd         ${JSON.stringify(container.Cmd ?? null)}`,
        `  workdir     ${container.WorkingDir ?? "/"}`,
        `  user        ${container.User || "(root)"}`,
        `  ports       ${Object.keys(container.ExposedPorts ?? {}).join(", ") || "-"}`,
        `  env         ${(container.Env ?? []).join(" ")}`,
        ...Object.entries(container.Labels ?? {}).map(([key, value]) => `  label       ${key}=${value}`),
        ...local.image.layers.map((layer, i) => `  layer ${i}     ${layer.digest} ${formatSize(layer.size)}`),
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }));

  image
    .command("import")
    .description("make a single-layer image from a root filesystem directory or tar (e.g. from scripts/node-base-image.sh)")
    .argument("<source>", "directory, .tar or .tar.gz")
    .requiredOption("-t, --tag <ref>", "reference to tag the image with")
    .option("--json", "print the result as JSON")
    .option(...dataOption)
    .action(action(async (source: string, flags: CommonFlags & { tag: string }) => {
      const result = await importRootFilesystem(await openStore(flags), { source, tag: flags.tag });
      if (flags.json) return printJson(result);
      process.stdout.write(`imported ${source} as ${flags.tag} → ${result.digest} (layer ${formatSize(result.layer.size)})\n`);
    }));
}
