/**
 * bench/registry: push and pull of a 200 MB image (incompressible layer) with skopeo, through slipway's embedded
 * registry and through Debian's docker-registry in the same run. Target: embedded / docker-registry ≤ 1.2.
 * Usage: node dist/bench/registry.js [--size-mb N] [--rounds N] [--record]
 */

import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGzip } from "node:zlib";
import Fastify from "fastify";
import { DigestingStream } from "../src/oci/digest";
import { tarStream } from "../src/oci/builder/tar-writer";
import { mediaTypes } from "../src/oci/media-types";
import { OciStore } from "../src/oci/oci-store";
import { basicPassword, bearerToken } from "../src/oci/registry/registry-auth";
import { registryPlugin } from "../src/oci/registry/plugin";
import { machineDescription, recordResults } from "./record";

const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const sizeMb = flag("--size-mb", 200);
const rounds = flag("--rounds", 3);
const token = "bench-token";

/** An OCI layout with one image whose single gzip layer holds `sizeMb` of random bytes. */
async function makeLayout(dir: string): Promise<void> {
  const blobs = join(dir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  const payload = join(dir, "payload.bin");
  const out = createWriteStream(payload);
  for (let written = 0; written < sizeMb; written++) if (!out.write(randomBytes(1024 * 1024))) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const size = (await stat(payload)).size;
  const diff = new DigestingStream();
  const compressed = new DigestingStream();
  const layerTemp = join(dir, "layer.tmp");
  await pipeline(tarStream([{ path: "payload.bin", type: "file", mode: 0o644, mtime: 0, size, sourcePath: payload }]), diff, createGzip({ level: 1 }), compressed, createWriteStream(layerTemp));
  await rename(layerTemp, join(blobs, compressed.digest().slice(7)));
  await rm(payload);
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: {}, rootfs: { type: "layers", diff_ids: [diff.digest()] } }));
  const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
  await writeFile(join(blobs, sha(config)), config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    config: { mediaType: mediaTypes.ociConfig, digest: `sha256:${sha(config)}`, size: config.length },
    layers: [{ mediaType: mediaTypes.ociLayerGzip, digest: compressed.digest(), size: compressed.size }],
  }));
  await writeFile(join(blobs, sha(manifest)), manifest);
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  await writeFile(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: mediaTypes.ociManifest, digest: `sha256:${sha(manifest)}`, size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "bench" } }] }));
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "slipway-bench-registry-"));
  const layout = join(work, "layout");

  const store = await OciStore.open(join(work, "embedded"));
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const auth = {
    authenticate: (header: string) => ((basicPassword(header) ?? bearerToken(header)) === token ? { user: "bench" } : undefined),
    authorize: (user: string | undefined) => user !== undefined,
    isPublic: () => false,
  };
  await app.register(registryPlugin, { store, auth });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const embedded = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  const started = await run("bash", [join(process.cwd(), "scripts", "start-registry.sh")]);
  const peerPid = Number(/SLIPWAY_DOCKER_REGISTRY_PID=(\d+)/.exec(started.stdout)?.[1]) || undefined;
  const peer = "127.0.0.1:5000";

  const times: Record<string, { push: number[]; pull: number[] }> = { embedded: { push: [], pull: [] }, "docker-registry": { push: [], pull: [] } };
  try {
    for (let round = 0; round < rounds; round++) {
      // Fresh random content each round: skopeo's blob-info cache would otherwise turn later pushes into mounts.
      await rm(layout, { recursive: true, force: true });
      await makeLayout(layout);
      const order: [string, string, string[]][] = [["embedded", embedded, ["--dest-creds", `bench:${token}`]], ["docker-registry", peer, []]];
      if (round % 2 === 1) order.reverse();
      for (const [name, host, creds] of order) {
        const repository = `${host}/bench-${Date.now()}-${round}/big:v1`;
        const push = await timed(() => run("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", ...creds, `oci:${layout}:bench`, `docker://${repository}`]));
        const pulled = join(work, `pulled-${name}-${round}`);
        const srcCreds = creds.length > 0 ? ["--src-creds", `bench:${token}`] : [];
        const pull = await timed(() => run("skopeo", ["copy", "--quiet", "--src-tls-verify=false", ...srcCreds, `docker://${repository}`, `oci:${pulled}:bench`]));
        await rm(pulled, { recursive: true, force: true });
        times[name]?.push.push(push);
        times[name]?.pull.push(pull);
        console.log(`round ${round + 1} ${name.padEnd(16)} push ${(push / 1000).toFixed(2)} s  pull ${(pull / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    await app.close();
    if (peerPid) process.kill(peerPid, "SIGTERM");
    await rm(work, { recursive: true, force: true });
  }

  const ours = times.embedded as { push: number[]; pull: number[] };
  const theirs = times["docker-registry"] as { push: number[]; pull: number[] };
  const pushRatio = median(ours.push) / median(theirs.push);
  const pullRatio = median(ours.pull) / median(theirs.pull);
  const totalRatio = (median(ours.push) + median(ours.pull)) / (median(theirs.push) + median(theirs.pull));
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const figures: string[][] = [
    ["image", `${sizeMb} MB random layer, skopeo copy oci: ↔ docker://, median of ${rounds}`],
    ["embedded push", seconds(median(ours.push))],
    ["docker-registry push", seconds(median(theirs.push))],
    ["embedded pull", seconds(median(ours.pull))],
    ["docker-registry pull", seconds(median(theirs.pull))],
    ["push ratio (embedded / docker-registry)", pushRatio.toFixed(2)],
    ["pull ratio (embedded / docker-registry)", pullRatio.toFixed(2)],
    ["push+pull ratio (target ≤ 1.2)", totalRatio.toFixed(2)],
  ];
  console.log(`\n${machineDescription()}`);
  for (const [name, value] of figures) console.log(`${(name as string).padEnd(42)} ${value}`);
  if (args.includes("--record")) recordResults("bench/registry", figures);
}

await main();
