/** The runtimes the end-to-end delivery suite runs over (one suite, as test/store runs one per dialect): host processes and Docker containers, with what each leaves behind checked by pid and by label. */

import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { defaultOwner } from "../../../src/runtime/docker/docker-runtime";
import { readProcessEntrySync } from "../../../src/workflow/executors/host/proc-table";
import { assertInstalled, dockerCliPath, realComponentsRunnable, run, startDockerEngine, type StartedComponent } from "../../oci/support/real-components";
import type { E2eServer, RuntimeName } from "./e2e-server";

export interface E2eRuntime {
  name: RuntimeName;
  /** False skips the suite (docker without dockerd, unless SLIPWAY_REQUIRE_DOCKER=1). */
  runnable: boolean;
  /** The Application's destination line: local names its runtime, docker names the in-cluster server and runs on the server's --runtime (both ways of choosing stay covered). */
  destination: string;
  /** beforeAll: the engine for docker. */
  prepare(): Promise<void>;
  /** afterAll: the images the engine pulled from `server`, and the engine if this file started it. */
  release(server: E2eServer | undefined, images: string[]): Promise<void>;
  /** The replica containers of `server` in any state, by its owner label and `labels` (none for local: its replicas are processes). */
  containers(server: E2eServer, labels?: string[]): Promise<string[]>;
}

const local: E2eRuntime = {
  name: "local",
  runnable: true,
  destination: "name: local",
  prepare: async () => undefined,
  release: async () => undefined,
  containers: async () => [],
};

async function docker(args: string[]): Promise<string> {
  return (await run(dockerCliPath(), args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

function dockerRuntime(): E2eRuntime {
  let engine: StartedComponent | undefined;
  return {
    name: "docker",
    runnable: realComponentsRunnable(["dockerd", "docker"], "the docker end-to-end delivery suite"),
    destination: "server: https://kubernetes.default.svc",
    async prepare() {
      assertInstalled(["dockerd", "docker"]);
      engine = startDockerEngine();
    },
    async release(server, images) {
      if (server) for (const id of await this.containers(server).catch(() => [])) await docker(["rm", "-f", id]).catch(() => undefined);
      if (images.length > 0) await docker(["rmi", "-f", ...images]).catch(() => undefined);
      await engine?.stop();
      engine = undefined;
    },
    async containers(server, labels = []) {
      const owner = defaultOwner("docker", join(server.dataDir, "runtime-docker"));
      const filters = [`slipway.dev/owner=${owner}`, ...labels].flatMap((label) => ["--filter", `label=${label}`]);
      return (await docker(["ps", "-aq", "--no-trunc", ...filters])).split("\n").filter(Boolean).sort();
    },
  };
}

export const e2eRuntimes: E2eRuntime[] = [local, dockerRuntime()];

/** Every live (non-zombie) process with `NAME=value` in its environment: a replica's process on either runtime (a container's too, seen from the host). */
export async function processesWithEnv(name: string, value: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").includes(`${name}=${value}`)) continue;
    const process = readProcessEntrySync(Number(entry));
    if (process && process.state !== "Z" && process.state !== "X") found.push(process.pid);
  }
  return found.sort((a, b) => a - b);
}
