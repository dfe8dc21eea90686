/** Docker Engine for runtime tests: dockerd through the existing helper, the embedded registry, and the test app built by slipway's builder on the Node base image and pushed there. */

import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage } from "../../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../../src/oci/client/image-transfer";
import { RegistryClient } from "../../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../../src/oci/image-import";
import { OciStore } from "../../../src/oci/oci-store";
import type { RegistryCredentials } from "../../../src/runtime/docker/docker-engine";
import { assertInstalled, dockerCliPath, realComponentsRunnable, run, startDockerEngine, type StartedComponent } from "../../oci/support/real-components";
import { startTestRegistry, type TestRegistry } from "../../oci/support/registry-server";
import { appServer } from "../support";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

export const dockerRunnable = (): boolean => realComponentsRunnable(["dockerd", "docker"], "docker runtime tests");

export interface DockerFixture {
  /** The test app image per tag (v1 and v2 hold the same app; VERSION comes from env). */
  image(tag: "v1" | "v2"): string;
  /** Inside the image. */
  node: string;
  appScript: string;
  registryAuth(registry: string): RegistryCredentials | undefined;
  /** Pushes the test app (tags v1 and v2) to another registry, e.g. a slipway server's own; returns the reference without tag. */
  pushApp(registry: string, credentials: RegistryCredentials, repository: string): Promise<string>;
  docker(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startDockerFixture(): Promise<DockerFixture> {
  assertInstalled(["dockerd", "docker"]);
  let engine: StartedComponent | undefined;
  let registry: TestRegistry | undefined;
  let store: OciStore | undefined;
  const work = await mkdtemp(join(tmpdir(), "slipway-docker-runtime-"));
  const stop = async (): Promise<void> => {
    await registry?.close();
    await engine?.stop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    engine = startDockerEngine();
    registry = await startTestRegistry();
    store = await OciStore.open(join(work, "oci"));
    execFileSync("bash", [join(repoRoot, "scripts", "node-base-image.sh"), join(work, "rootfs")], { stdio: "ignore" });
    await importRootFilesystem(store, { source: join(work, "rootfs"), tag: "node-base:20" });
    await rm(join(work, "rootfs"), { recursive: true, force: true });
    const context = join(work, "app");
    await mkdir(context);
    await copyFile(appServer, join(context, "app-server.mjs"));
    await writeFile(join(context, "package.json"), JSON.stringify({ name: "app-server", version: "1.0.0", main: "app-server.mjs" }));
    await buildImage(store, { contextDir: context, tag: "app-server:v1", base: "node-base:20" });
    const host = registry.host;
    const client = new RegistryClient({ registry: host, credentials: { username: "ci", password: "secret-token" } });
    await pushImageFromStore(store, "app-server", "v1", client, "team/app-server", ["v1", "v2"]);
  } catch (error) {
    await stop();
    throw error;
  }
  const host = registry.host;
  return {
    image: (tag) => `${host}/team/app-server:${tag}`,
    node: "/usr/local/bin/node",
    appScript: "/app/app-server.mjs",
    registryAuth: (name) => (name === host ? { username: "ci", password: "secret-token" } : undefined),
    async pushApp(target, credentials, repository) {
      if (!store) throw new Error("the fixture's image store is gone");
      await pushImageFromStore(store, "app-server", "v1", new RegistryClient({ registry: target, credentials }), repository, ["v1", "v2"]);
      return `${target}/${repository}`;
    },
    docker: async (args) => (await run(dockerCliPath(), args, { maxBuffer: 16 * 1024 * 1024 })).stdout,
    async stop() {
      await run(dockerCliPath(), ["rmi", "-f", `${host}/team/app-server:v1`, `${host}/team/app-server:v2`]).catch(() => undefined);
      await stop();
    },
  };
}
