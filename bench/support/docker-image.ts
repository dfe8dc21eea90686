/** For benchmarks on the docker runtime: the service built by slipway's builder on the Node base image, pushed to a server's registry, and started directly with `docker run` as a baseline. */

import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import { buildImage } from "../../src/oci/builder/image-builder";
import { dockerCli } from "../../src/oci/builder/docker-engine-build";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { freeLoopbackPort } from "../../src/runtime/local/ports";

const run = promisify(execFile);

export interface BenchImage {
  /** Without tag. */
  image: string;
  command: string[];
  /** `docker run --network host` of the image until /ready answers, polled every second like the manifest's probe. */
  directStart(): Promise<number>;
  remove(): Promise<void>;
}

/** Builds node-base (scripts/node-base-image.sh) + the script at /app, pushes it as `<server host>/bench/service:v1`. */
export async function pushServiceImage(serverUrl: string, token: string, script: string): Promise<BenchImage> {
  const work = mkdtempSync(join(tmpdir(), "slipway-bench-image-"));
  try {
    const store = await OciStore.open(join(work, "oci"));
    execFileSync("bash", [resolve("scripts/node-base-image.sh"), join(work, "rootfs")], { stdio: "ignore" });
    await importRootFilesystem(store, { source: join(work, "rootfs"), tag: "node-base:20" });
    mkdirSync(join(work, "service"));
    copyFileSync(script, join(work, "service", basename(script)));
    writeFileSync(join(work, "service", "package.json"), JSON.stringify({ name: "service", version: "1.0.0", main: basename(script) }));
    await buildImage(store, { contextDir: join(work, "service"), tag: "service:v1", base: "node-base:20" });
    const host = new URL(serverUrl).host;
    await pushImageFromStore(store, "service", "v1", new RegistryClient({ registry: host, credentials: { username: "admin", password: token } }), "bench/service", ["v1"]);
    const image = `${host}/bench/service`;
    const command = ["/usr/local/bin/node", `/app/${basename(script)}`];
    return {
      image,
      command,
      async directStart() {
        const port = await freeLoopbackPort();
        const started = performance.now();
        const { stdout } = await run(dockerCli(), ["run", "-d", "--network", "host", "-e", `PORT=${port}`, "-e", "VERSION=base", "--entrypoint", command[0], `${image}:v1`, ...command.slice(1)]);
        try {
          for (;;) {
            const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
            if (ok) return performance.now() - started;
            await new Promise((wait) => setTimeout(wait, 1000));
          }
        } finally {
          await run(dockerCli(), ["rm", "-f", stdout.trim()]);
        }
      },
      async remove() {
        await run(dockerCli(), ["rmi", "-f", `${image}:v1`]).catch(() => undefined);
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
