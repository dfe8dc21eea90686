/** What only the docker runtime has: healing a container removed by hand, limits in `docker inspect`, crash-looping containers with backoff and Degraded health, adoption after a restart without duplicates, and a clear error when no engine answers. */

import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDockerRuntime } from "../../../src/runtime/docker/docker-runtime";
import type { DeploymentState } from "../../../src/runtime/runtime";
import type { RuntimeObject } from "../../../src/runtime/types";
import { liveObjectsOf } from "../../../src/sync/controller/live-objects";
import { resourceHealth } from "../../../src/sync/health";
import { appDeployment, startHarness, waitFor, type AppOptions, type Harness } from "../support";
import { dockerRunnable, startDockerFixture, type DockerFixture } from "./engine-fixture";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

describe("docker runtime without an engine", () => {
  it("reports itself unavailable with the socket and changes nothing", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-no-engine-"));
    const runtime = createDockerRuntime({ dataDir, engine: { socketPath: join(dataDir, "missing.sock") } });
    expect(await runtime.unavailableReason()).toMatch(/docker runtime is unavailable: no Docker Engine answers on unix:\/\/.*missing\.sock/);
    await expect(runtime.apply("dev", [appDeployment({ name: "web", version: "v1" })])).rejects.toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
    // A bad object is still reported as such first.
    await expect(runtime.apply("dev", [{ kind: "Service", name: "Bad Name", selector: {}, ports: [] }])).rejects.not.toMatchObject({ code: "RUNTIME_UNAVAILABLE" });
    expect(runtime.namespaces()).toEqual([]);
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe.skipIf(!dockerRunnable())("docker runtime on a real engine", () => {
  let fixture: DockerFixture;
  let harness: Harness | undefined;

  beforeAll(async () => {
    fixture = await startDockerFixture();
  }, 300_000);
  afterAll(() => fixture?.stop(), 120_000);
  afterEach(async () => {
    const stopped = await harness?.stop();
    harness = undefined;
    expect(stopped?.leftoverPids ?? []).toEqual([]);
    expect(stopped?.listeningPorts ?? []).toEqual([]);
  }, 60_000);

  const start = async (options: Parameters<typeof startHarness>[0] = {}, owner?: string): Promise<Harness> => {
    harness = await startHarness(options, (resolved) => createDockerRuntime({ ...resolved, owner, engine: { registryAuth: fixture.registryAuth } }));
    return harness;
  };
  const app = (options: AppOptions) =>
    appDeployment({ ...options, container: { image: fixture.image(options.version === "v2" ? "v2" : "v1"), command: [fixture.node, fixture.appScript], ...options.container } });
  const deployment = (name: string): DeploymentState | undefined => harness?.runtime.snapshot("dev").deployments.find((candidate) => candidate.name === name);
  const inspect = async (id: string) => JSON.parse(await fixture.docker(["inspect", id])) as [{ HostConfig: { Memory: number; NanoCpus: number; NetworkMode: string; Binds: string[] | null; LogConfig: { Type: string; Config: Record<string, string> } }; Config: { Labels: Record<string, string> } }];

  it("heals a replica removed with docker rm -f and one stopped with docker stop", async () => {
    const { runtime } = await start();
    await runtime.apply("dev", [app({ name: "web", version: "v1", replicas: 2 })]);
    const ready = await waitFor("2 ready", () => (deployment("web")?.readyReplicas === 2 ? deployment("web") : undefined), 60_000);
    const [victim, stopped] = ready.pods;
    await fixture.docker(["rm", "-f", victim.containerId as string]);
    await fixture.docker(["stop", "-t", "1", stopped.containerId as string]);
    const healed = await waitFor("healed", () => deployment("web")?.pods.find((pod) => pod.name === victim.name && pod.ready && pod.restarts === 1), 60_000);
    expect(healed.containerId).not.toBe(victim.containerId);
    expect(healed.port).toBe(victim.port);
    const restarted = await waitFor("stopped one restarted", () => deployment("web")?.pods.find((pod) => pod.name === stopped.name && pod.ready && pod.restarts === 1), 60_000);
    expect(restarted.containerId).not.toBe(stopped.containerId);
    expect(restarted.lastExit?.exitCode).toBe(0);
    expect((await fetch(`http://127.0.0.1:${healed.port}/`).then((response) => response.text())).startsWith("v1 ")).toBe(true);
  }, 90_000);

  it("applies resources.limits (an outgrown memory limit is OOMKilled) and the slipway labels, on the host network only", async () => {
    const { runtime } = await start();
    const env = [{ name: "VERSION", value: "v1" }, { name: "PATH", value: "/opt/tools:$(PATH)" }];
    const spec = app({ name: "limited", version: "v1", labels: { "app.kubernetes.io/instance": "shop" }, container: { env, resources: { limits: { memory: "96Mi", cpu: "500m" } } } });
    await runtime.apply("dev", [spec]);
    const pod = await waitFor("ready", () => deployment("limited")?.pods.find((candidate) => candidate.ready), 60_000);
    const [info] = await inspect(pod.containerId as string);
    expect(info.HostConfig).toMatchObject({ Memory: 96 * 1024 * 1024, NanoCpus: 500_000_000, NetworkMode: "host" });
    // The engine's json-file logs are bounded like slipway's own copies.
    expect(info.HostConfig.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "16m", "max-file": "2" } });
    expect(info.Config.Labels).toMatchObject({
      "slipway.dev/application": "shop",
      "slipway.dev/namespace": "dev",
      "slipway.dev/workload-kind": "Deployment",
      "slipway.dev/workload": "limited",
      "slipway.dev/revision": pod.revision,
      "slipway.dev/replica": pod.name,
    });
    // $(PATH) is the image's PATH inside a container, not the host's.
    const [image] = JSON.parse(await fixture.docker(["image", "inspect", fixture.image("v1")])) as [{ Config: { Env: string[] } }];
    const imagePath = image.Config.Env.find((entry) => entry.startsWith("PATH="))?.slice(5);
    expect(await (await fetch(`http://127.0.0.1:${pod.port}/env?name=PATH`)).text()).toBe(`/opt/tools:${imagePath}`);
    expect(runtime.capabilities).toMatchObject({ isolation: "container", resourceLimits: true, absoluteMountPaths: true, adoptsReplicas: true });
    // The limit is enforced: a replica that outgrows it is killed by the kernel and reported as OOMKilled.
    const hog = `const chunks = []; setInterval(() => chunks.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20);`;
    await runtime.apply("dev", [app({ name: "hog", version: "v1", container: { command: [fixture.node, "-e", hog], readinessProbe: undefined, resources: { limits: { memory: "80Mi" } } } })]);
    const killed = await waitFor("OOMKilled", () => deployment("hog")?.pods.find((candidate) => candidate.lastExit?.reason === "OOMKilled"), 60_000);
    expect(killed.lastExit).toMatchObject({ exitCode: 137, signal: "SIGKILL" });
  }, 90_000);

  it("restarts a container that exits non-zero with growing backoff, and the Deployment turns Degraded", async () => {
    const { runtime } = await start({ backoff: { initialMs: 200, maxMs: 1600, resetAfterMs: 60_000 } });
    const exits: number[] = [];
    const starts: number[] = [];
    runtime.events.on((event) => {
      if (event.kind === "replica" && event.type === "exited") exits.push(Date.now());
      if (event.kind === "replica" && event.type === "restarted") starts.push(Date.now());
    });
    const crashing = app({ name: "crashy", version: "v1", spec: { labels: { "app.kubernetes.io/instance": "crashy" }, progressDeadlineSeconds: 3 }, container: { command: [fixture.node, "-e", "console.error('boom'); process.exit(3)"] } });
    await runtime.apply("dev", [crashing]);
    await waitFor("4 restarts", () => starts.length >= 4, 60_000);
    const gaps = starts.slice(0, 4).map((at, index) => at - exits[index]);
    // 200, 400, 800, 1600 ms of backoff plus a container start each time.
    expect(gaps[3] - gaps[0]).toBeGreaterThan(900);
    const state = deployment("crashy") as DeploymentState;
    expect(state.pods[0].lastExit).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(state.readyReplicas).toBe(0);
    const degraded = await waitFor("Degraded", () => {
      const [live] = liveObjectsOf(runtime.snapshot("dev"), { app: "crashy", annotations: new Map(), hooks: new Set() });
      const health = resourceHealth(live);
      return health.status === "Degraded" ? health : undefined;
    }, 20_000);
    expect(degraded.message).toMatch(/timed out progressing|deadline/i);
  }, 90_000);

  it("adopts the containers of a runtime killed with SIGKILL instead of duplicating them, rolls them forward, and ends the ones nothing claims", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-adopt-"));
    const owner = `adopt-test-${process.pid}`;
    const objects: RuntimeObject[] = [app({ name: "web", version: "v1", replicas: 2 })];
    const stale = app({ name: "stale", version: "v1", graceSeconds: 1 });
    const child = spawn(join(repoRoot, "node_modules", ".bin", "vite-node"), [join(import.meta.dirname, "fixtures", "runtime-process.ts")], {
      cwd: repoRoot,
      env: { ...process.env, SLIPWAY_TEST_DATA_DIR: dataDir, SLIPWAY_TEST_OWNER: owner, SLIPWAY_TEST_OBJECTS: JSON.stringify([...objects, stale]), SLIPWAY_TEST_REGISTRY_AUTH: "ci:secret-token" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
        child.once("exit", (code) => reject(new Error(`the runtime process exited (${code}) before it was ready`)));
      });
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const owned = async (workload = "web") =>
      (await fixture.docker(["ps", "-aq", "--no-trunc", "--filter", `label=slipway.dev/owner=${owner}`, "--filter", `label=slipway.dev/workload=${workload}`])).split("\n").filter(Boolean).sort();
    const before = await owned();
    expect(before).toHaveLength(2);
    expect(await owned("stale")).toHaveLength(1);

    const { runtime } = await start({ dataDir, orphanGraceMs: 1500 }, owner);
    await runtime.apply("dev", objects);
    const adopted = await waitFor("adopted and ready", () => (deployment("web")?.complete ? deployment("web") : undefined), 60_000);
    expect(adopted.pods.map((pod) => pod.containerId).sort()).toEqual(before);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await owned()).toEqual(before);

    await runtime.apply("dev", [app({ name: "web", version: "v2", replicas: 2 })]);
    const rolled = await waitFor("v2 complete", () => {
      const current = deployment("web");
      return current?.complete && current.templateHash !== adopted.templateHash ? current : undefined;
    }, 60_000);
    const after = await owned();
    expect(after).toHaveLength(2);
    expect(after).toEqual(rolled.pods.map((pod) => pod.containerId).sort());
    // "stale" is in no manifest any more: its container goes once the adoption grace is over.
    for (let attempt = 0; attempt < 100 && (await owned("stale")).length > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await owned("stale")).toEqual([]);
    await harness?.stop();
    harness = undefined;
    expect(await owned()).toEqual([]);
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);
});
