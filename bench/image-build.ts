/**
 * bench/image-build: slipway's daemonless builder against `docker build` of the equivalent Dockerfile, cold and
 * after a source-only change (which must reuse the dependency layer: its digest is asserted and printed).
 * Usage: node dist/bench/image-build.js [--packages N] [--record]
 */

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { dockerCli, dockerEngineAvailable } from "../src/oci/builder/docker-engine-build";
import { buildImage, type BuildImageResult } from "../src/oci/builder/image-builder";
import { importRootFilesystem } from "../src/oci/image-import";
import { OciStore } from "../src/oci/oci-store";
import { machineDescription, recordResults } from "./record";

const run = promisify(execFile);
const args = process.argv.slice(2);
const packages = args.includes("--packages") ? Number(args[args.indexOf("--packages") + 1]) : 150;
const filesPerPackage = 20;

const dockerfile = `FROM slipway-bench-base:1
WORKDIR /app
COPY package.json package-lock.json ./
COPY node_modules ./node_modules
COPY server.js ./
COPY lib ./lib
ENV NODE_ENV=production
CMD ["node", "server.js"]
`;

/** A service with `packages` dependencies of `filesPerPackage` ~10 kB files each, and a few source files. */
async function makeService(dir: string): Promise<void> {
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "bench-app", version: "1.0.0", main: "server.js" }));
  await writeFile(join(dir, "package-lock.json"), JSON.stringify({ name: "bench-app", lockfileVersion: 3, packages: {} }));
  for (let p = 0; p < packages; p++) {
    const pkg = join(dir, "node_modules", `pkg-${p}`);
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, "package.json"), JSON.stringify({ name: `pkg-${p}`, version: "1.0.0" }));
    for (let f = 0; f < filesPerPackage; f++) {
      const body = Array.from({ length: 40 }, () => `exports.v${randomBytes(4).toString("hex")} = "${randomBytes(64).toString("base64")}";\n`).join("");
      await writeFile(join(pkg, `file-${f}.js`), body.repeat(2));
    }
  }
  await mkdir(join(dir, "lib"), { recursive: true });
  await writeFile(join(dir, "server.js"), 'require("node:http").createServer((q, s) => s.end("ok")).listen(8080, "127.0.0.1");\n');
  await writeFile(join(dir, "lib", "version.js"), "module.exports = 1;\n");
  await writeFile(join(dir, "Dockerfile"), dockerfile);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "slipway-bench-build-"));
  const service = join(work, "service");
  const rootfs = join(work, "rootfs");
  await mkdir(service);
  await mkdir(join(rootfs, "etc"), { recursive: true });
  await writeFile(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  await makeService(service);
  const figures: string[][] = [["service", `${packages} packages × ${filesPerPackage} files of node_modules, 2 source files`]];
  const withDocker = await dockerEngineAvailable();
  const dockerImages: string[] = [];
  try {
    const store = await OciStore.open(join(work, "oci"));
    await importRootFilesystem(store, { source: rootfs, tag: "slipway-bench-base:1" });
    const options = { contextDir: service, base: "slipway-bench-base:1" };
    const cold = await timed(() => buildImage(store, { ...options, tag: "bench-app:cold" }));
    await writeFile(join(service, "lib", "version.js"), "module.exports = 2;\n");
    const rebuild = await timed(() => buildImage(store, { ...options, tag: "bench-app:rebuild" }));
    const layer = (result: BuildImageResult, role: string): string => result.layers.find((entry) => entry.role === role)?.digest ?? "";
    const reused = layer(cold.value, "dependencies") === layer(rebuild.value, "dependencies");
    const sourcesChanged = layer(cold.value, "sources") !== layer(rebuild.value, "sources");
    console.log(`dependencies layer: cold ${layer(cold.value, "dependencies")}\n                    rebuild ${layer(rebuild.value, "dependencies")}`);
    console.log(`sources layer:      cold ${layer(cold.value, "sources")}\n                    rebuild ${layer(rebuild.value, "sources")}`);
    if (!reused || !sourcesChanged) throw new Error("a source-only rebuild must reuse the dependency layer and change the sources layer");
    figures.push(["dependency layer reused after a source-only change", `yes (${layer(rebuild.value, "dependencies").slice(0, 19)}…)`]);
    figures.push(["slipway cold build", `${cold.ms.toFixed(0)} ms`], ["slipway source-only rebuild", `${rebuild.ms.toFixed(0)} ms`]);

    if (withDocker) {
      await writeFile(join(service, "lib", "version.js"), "module.exports = 1;\n");
      await run("sh", ["-c", `tar -C ${rootfs} -c . | ${dockerCli()} import - slipway-bench-base:1`]);
      dockerImages.push("slipway-bench-base:1", "slipway-bench-app:1");
      const env = { ...process.env, DOCKER_BUILDKIT: "0" };
      const dockerBuild = (extra: string[]) => run(dockerCli(), ["build", "--network", "host", "-q", ...extra, "-t", "slipway-bench-app:1", service], { env, maxBuffer: 16 * 1024 * 1024 });
      const dockerCold = await timed(() => dockerBuild(["--no-cache"]));
      await writeFile(join(service, "lib", "version.js"), "module.exports = 2;\n");
      const dockerRebuild = await timed(() => dockerBuild([]));
      figures.push(["docker build cold (legacy builder, --no-cache)", `${dockerCold.ms.toFixed(0)} ms`], ["docker build source-only rebuild (cached deps)", `${dockerRebuild.ms.toFixed(0)} ms`]);
      figures.push(["cold ratio (slipway / docker)", (cold.ms / dockerCold.ms).toFixed(2)], ["rebuild ratio (slipway / docker)", (rebuild.ms / dockerRebuild.ms).toFixed(2)]);
    } else {
      figures.push(["docker build", "skipped: no Docker Engine answers (scripts/start-docker.sh starts one)"]);
    }
  } finally {
    for (const image of dockerImages) await run(dockerCli(), ["rmi", "-f", image]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
  console.log(`\n${machineDescription()}`);
  for (const [name, value] of figures) console.log(`${(name as string).padEnd(50)} ${value}`);
  if (args.includes("--record")) recordResults("bench/image-build", figures);
}

await main();
