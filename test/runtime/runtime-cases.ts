/** The runtimes the shared runtime suites run over (as test/store runs one suite per dialect): local processes and Docker containers, behind the same harness. */

import { createDockerRuntime } from "../../src/runtime/docker/docker-runtime";
import type { LocalRuntimeOptions } from "../../src/runtime/local/local-runtime";
import type { ContainerSpec } from "../../src/runtime/types";
import { dockerRunnable, startDockerFixture, type DockerFixture } from "./docker/engine-fixture";
import { appServer, startHarness, type Harness } from "./support";

export interface RuntimeCase {
  name: "local" | "docker";
  /** False skips the suite (docker without dockerd, unless SLIPWAY_REQUIRE_DOCKER=1). */
  runnable: boolean;
  /** beforeAll: engine, registry and image for docker. */
  prepare(): Promise<void>;
  /** afterAll. */
  release(): Promise<void>;
  start(options?: Partial<LocalRuntimeOptions>): Promise<Harness>;
  /** Image and command of the test app for a version ("v1", "v2", …). */
  app(version: string): Pick<ContainerSpec, "image" | "command">;
  /** The node binary as the container sees it. */
  node(): string;
}

const localCase: RuntimeCase = {
  name: "local",
  runnable: true,
  prepare: async () => undefined,
  release: async () => undefined,
  start: (options) => startHarness(options),
  app: (version) => ({ image: `example/app:${version}`, command: [process.execPath, appServer] }),
  node: () => process.execPath,
};

function dockerCase(): RuntimeCase {
  let fixture: DockerFixture | undefined;
  const ready = (): DockerFixture => {
    if (!fixture) throw new Error("the docker fixture is not started (prepare in beforeAll)");
    return fixture;
  };
  return {
    name: "docker",
    runnable: dockerRunnable(),
    async prepare() {
      fixture = await startDockerFixture();
    },
    async release() {
      await fixture?.stop();
      fixture = undefined;
    },
    start: (options) => startHarness(options, (resolved) => createDockerRuntime({ ...resolved, engine: { registryAuth: ready().registryAuth } })),
    app: (version) => ({ image: ready().image(version === "v2" ? "v2" : "v1"), command: [ready().node, ready().appScript] }),
    node: () => ready().node,
  };
}

export const runtimeCases: RuntimeCase[] = [localCase, dockerCase()];

/** The docker fixture of the docker case, for docker-only suites. */
export { startDockerFixture, dockerRunnable };
