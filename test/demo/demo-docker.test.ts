/**
 * `slipway up --demo --runtime docker` against a real Docker Engine: the demo shop runs as containers, `ps` and `logs`
 * read them, SIGTERM leaves no container and no process behind, and the data directory refuses another runtime and
 * reuses everything on the same one.
 */

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DemoSummary } from "../../src/demo/demo-up";
import { onRuntime } from "../../src/demo/demo-seed";
import { defaultOwner } from "../../src/runtime/docker/docker-runtime";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { jsonFrom, processesUnder, stop } from "./support";
import { assertBuilt, killIfRunning, slipway, startSlipway } from "../support/cli";
import { assertInstalled, dockerCliPath, realComponentsRunnable, run, startDockerEngine, type StartedComponent } from "../oci/support/real-components";

const runnable = realComponentsRunnable(["dockerd", "docker"], "the demo on the docker runtime");

describe("the demo's Applications name the chosen runtime", () => {
  it("rewrites destination.name local → docker and leaves everything else as it is", () => {
    const app = "# synced by slipway to its `local` runtime.\nspec:\n  destination:\n    name: local\n    namespace: dev\n  source:\n    name: local\n";
    expect(onRuntime("docker", app)).toBe("# synced by slipway to its `docker` runtime.\nspec:\n  destination:\n    name: docker\n    namespace: dev\n  source:\n    name: local\n");
    expect(onRuntime("local", app)).toBe(app);
  });
});

describe.skipIf(!runnable)("`slipway up --demo --runtime docker`", () => {
  let engine: StartedComponent | undefined;
  let dataDir = "";
  let port = 0;
  let child: ChildProcess | undefined;
  const docker = (args: string[]) => run(dockerCliPath(), args, { maxBuffer: 16 * 1024 * 1024 });
  const ownerFilter = (): string => `label=slipway.dev/owner=${defaultOwner("docker", join(dataDir, "runtime-docker"))}`;

  beforeAll(async () => {
    assertBuilt();
    assertInstalled(["dockerd", "docker"]);
    engine = startDockerEngine();
    dataDir = await mkdtemp(join(tmpdir(), "slipway-demo-docker-"));
    port = await freeLoopbackPort();
  }, 120_000);

  afterAll(async () => {
    killIfRunning(child);
    if (dataDir) {
      const left = (await docker(["ps", "-aq", "--filter", ownerFilter()]).catch(() => ({ stdout: "" }))).stdout.split("\n").filter(Boolean);
      if (left.length > 0) await docker(["rm", "-f", ...left]).catch(() => undefined);
      const images = (await docker(["images", "--format", "{{.Repository}}:{{.Tag}}"]).catch(() => ({ stdout: "" }))).stdout.split("\n").filter((image) => image.startsWith(`127.0.0.1:${port}/`));
      if (images.length > 0) await docker(["rmi", "-f", ...images]).catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    }
    await engine?.stop();
  }, 120_000);

  it("runs the shop in containers; ps and logs read them; SIGTERM leaves nothing; another runtime is refused, the same one reuses it all", async () => {
    const ingress = ["dev", "staging", "prod"].map(async (env) => ["--ingress-port", `${env}=${await freeLoopbackPort()}`]);
    const args = ["up", "--demo", "--json", "--runtime", "docker", "--data", dataDir, "--port", String(port), ...(await Promise.all(ingress)).flat()];
    child = startSlipway(args, tmpdir());
    const summary = (await jsonFrom<DemoSummary>(child, 240_000)).value;

    const page = await fetch(`${summary.environments.dev}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("web 1.0.0");

    const env = { SLIPWAY_URL: summary.url, SLIPWAY_TOKEN: (await readFile(join(dataDir, "admin.token"), "utf8")).trim() };
    const ps = await slipway(["ps", "-n", "dev", "--json"], tmpdir(), env);
    expect(ps.code, ps.stderr).toBe(0);
    const replicas = JSON.parse(ps.stdout) as { app: string; containerId?: string; ready: boolean }[];
    expect(replicas.map((replica) => replica.app).sort()).toEqual(["auth-dev", "catalog-dev", "gateway-dev", "orders-dev", "web-dev"]);
    expect(replicas.every((replica) => /^[0-9a-f]{12,64}$/.test(replica.containerId ?? "") && replica.ready)).toBe(true);
    const running = (await docker(["ps", "-q", "--no-trunc", "--filter", ownerFilter(), "--filter", "label=slipway.dev/namespace=dev"])).stdout;
    for (const replica of replicas) expect(running).toContain(replica.containerId);
    // The table shows a container by its short id where a process replica shows its pid.
    const table = await slipway(["ps", "-n", "dev"], tmpdir(), env);
    expect(table.stdout).toContain("PID/CONTAINER");
    for (const replica of replicas) expect(table.stdout).toContain((replica.containerId ?? "").slice(0, 12));

    const logs = await slipway(["logs", "deploy/auth", "-n", "dev"], tmpdir(), env);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.trim().length).toBeGreaterThan(0);

    expect(await stop(child)).toBe(0);
    expect((await docker(["ps", "-aq", "--filter", ownerFilter()])).stdout.trim()).toBe("");
    expect(await processesUnder(dataDir)).toEqual([]);

    const other = await slipway(["up", "--demo", "--runtime", "local", "--data", dataDir, "--port", String(port)], tmpdir());
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("runs on the docker runtime");
    expect(other.stderr).toContain("slipway up --demo --runtime docker");
    expect(other.stderr).not.toContain("slipway is up");

    // The same runtime again reuses the data directory: the containers come back and the shop answers.
    child = startSlipway(args, tmpdir());
    const again = (await jsonFrom<DemoSummary>(child, 120_000)).value;
    expect(again.stages.find((stage) => stage.name === "push the Argo CD Applications")?.detail).toBe("already there");
    expect((await fetch(`${again.environments.dev}/api/products`)).status).toBe(200);
    expect(await stop(child)).toBe(0);
    expect((await docker(["ps", "-aq", "--filter", ownerFilter()])).stdout.trim()).toBe("");
  }, 300_000);
});
