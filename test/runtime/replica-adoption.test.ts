/**
 * Replica records and adoption with real detached processes. Driver level: a second driver on the same state dir
 * (a restarted slipway) finds the live replica, adopts it (exec, stop, exit noticed by polling), ends stale and
 * unrecorded leftovers, and drops orphans nobody wants. Runtime level: a runtime in its own process is killed
 * with SIGKILL and a new one on the same data dir takes its replicas over, serves through its Service and rolls
 * them forward. Log files outlive the store that tailed them.
 */

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplicaLaunch } from "../../src/runtime/replica-driver";
import type { LogLine } from "../../src/runtime/runtime";
import { createLocalRuntime } from "../../src/runtime/local/local-runtime";
import { LogStore } from "../../src/runtime/local/log-store";
import { ProcessReplicaDriver } from "../../src/runtime/local/process-driver";
import { ReplicaRegistry } from "../../src/runtime/local/replica-registry";
import { runtimeMarkerVariable } from "../../src/runtime/local/replica-registry-recovery";
import { isSameProcessRunning, readProcessEntrySync } from "../../src/workflow/executors/host/proc-table";
import { appDeployment, appService, httpGet } from "./support";

const runtimeHost = fileURLToPath(new URL("../fixtures/runtime/runtime-host.ts", import.meta.url));

const sleeper = "process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('up ' + process.env.WHO); setInterval(() => {}, 1000);";

function launch(dir: string, name: string, workload = "web"): ReplicaLaunch {
  return {
    namespace: "dev",
    name,
    workload: { kind: "Deployment", name: workload },
    revision: "rev1",
    template: { labels: { app: workload }, terminationGracePeriodSeconds: 2, containers: [{ name: "c", image: "x", command: [process.execPath, "-e", sleeper] }] },
    container: { name: "c", image: "x", command: [process.execPath, "-e", sleeper] },
    env: { WHO: name, PATH: process.env.PATH ?? "" },
    ports: [{ name: "http", containerPort: 8080, hostPort: 1 }],
    mounts: [],
    labels: { app: workload },
    replicaDir: dir,
  };
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("replica records and adoption", () => {
  let root: string;
  const pids: number[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "slipway-adopt-"));
  });
  afterAll(async () => {
    for (const pid of pids) if (readProcessEntrySync(pid)) process.kill(pid, "SIGKILL");
    await rm(root, { recursive: true, force: true });
  });

  it("adopts a live replica after a restart, ends stale and unrecorded ones, and drops unwanted orphans", async () => {
    const stateDir = join(root, "records");
    const logs = new LogStore({ dataDir: root });
    const first = new ProcessReplicaDriver({ stateDir });
    const keep = await first.start(launch(root, "web-a"), logs.open("dev", { kind: "Deployment", name: "web" }, "web-a"));
    const unwanted = await first.start(launch(root, "old-a", "old"), logs.open("dev", { kind: "Deployment", name: "old" }, "old-a"));
    pids.push(keep.pid as number, unwanted.pid as number);
    const registry = new ReplicaRegistry(stateDir);
    expect(registry.list().map((record) => record.name).sort()).toEqual(["old-a", "web-a"]);
    // A stale record (its process is gone) and an unrecorded process carrying this runtime's marker.
    registry.write({ ...registry.list()[0], name: "gone", pid: 999_999, startTime: 1, trackingId: "stale" });
    const stray = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { env: { [runtimeMarkerVariable]: stateDir }, detached: true, stdio: "ignore" });
    const strayPid = stray.pid as number;
    pids.push(strayPid);
    const strayStart = await waitFor("stray started", () => readProcessEntrySync(strayPid)?.startTime);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const second = new ProcessReplicaDriver({ stateDir, orphanGraceMs: 60_000 });
    const orphans = await second.orphans?.("dev", { kind: "Deployment", name: "web" });
    expect(orphans?.map((orphan) => ({ name: orphan.name, revision: orphan.revision, ports: orphan.ports }))).toEqual([{ name: "web-a", revision: "rev1", ports: [{ name: "http", containerPort: 8080, hostPort: 1 }] }]);
    expect(isSameProcessRunning(strayPid, strayStart)).toBe(false);
    expect(registry.list().map((record) => record.name).sort()).toEqual(["old-a", "web-a"]);

    const logsAfter = new LogStore({ dataDir: root });
    const adopted = await second.start(launch(root, "web-a"), logsAfter.open("dev", { kind: "Deployment", name: "web" }, "web-a"));
    expect(adopted.pid).toBe(keep.pid);
    const exec = await adopted.exec(["sh", "-c", "echo $WHO"], 5000);
    expect(exec).toMatchObject({ exitCode: 0, stdout: "web-a\n" });

    // Deleting the workload "old" while its orphan waits ends it.
    await second.dropOrphans({ namespace: "dev", workload: { kind: "Deployment", name: "old" } });
    await unwanted.exited;
    expect(registry.list().map((record) => record.name)).toEqual(["web-a"]);

    // An adopted replica's exit is noticed by polling; its record goes.
    await adopted.stop(2000);
    await adopted.exited;
    await waitFor("record removed", () => registry.list().length === 0);
    const lines: LogLine[] = [];
    // The new store read back what the replica wrote before the restart, then what it wrote after.
    for await (const line of logsAfter.read("dev", { kind: "Deployment", name: "web" })) lines.push(line);
    expect(lines.map((line) => line.line)).toEqual(["up web-a", "bye"]);
  });

  it("keeps log files across stores, backfills them and follows new lines", async () => {
    const dataDir = join(root, "logs");
    const before = new LogStore({ dataDir });
    const writer = before.open("dev", { kind: "Deployment", name: "api" }, "api-1");
    await appendFile(writer.files.stdout, "first\nsecond\n");
    await appendFile(writer.files.stderr, "oops\n");
    writer.close();
    expect((await readdir(join(dataDir, "namespaces", "dev", "logs", "deployment-api"))).sort()).toEqual(["api-1.stderr.log", "api-1.stdout.log"]);

    // A restarted slipway: a new store over the same files reads them back and follows what the process writes next.
    const after = new LogStore({ dataDir });
    const reopened = after.open("dev", { kind: "Deployment", name: "api" }, "api-1");
    const abort = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of after.read("dev", { kind: "Deployment", name: "api" }, { follow: true, signal: abort.signal })) {
        seen.push(`${line.stream}:${line.line}`);
        if (seen.length === 4) abort.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await appendFile(reopened.files.stdout, "third\n");
    await following;
    expect(seen.sort()).toEqual(["stderr:oops", "stdout:first", "stdout:second", "stdout:third"]);
    const tail: string[] = [];
    for await (const line of after.read("dev", { kind: "Deployment", name: "api" }, { tail: 1, replica: "api-1" })) tail.push(line.line);
    expect(tail).toEqual(["third"]);
    reopened.close();
  });

  it("rotates a log file past its bound (copy to .1, truncate) while the writer keeps its descriptor, losing no line", async () => {
    const dataDir = join(root, "log-rotation");
    const store = new LogStore({ dataDir, maxFileBytes: 64 * 1024, linesPerReplica: 100_000 });
    const workload = { kind: "Deployment" as const, name: "chatty" };
    const writer = store.open("dev", workload, "chatty-1");
    // What a detached replica holds: its own descriptor, opened for appending before any rotation.
    const fd = openSync(writer.files.stdout, "a");
    const read = async (): Promise<string[]> => {
      const lines: string[] = [];
      for await (const line of store.read("dev", workload)) lines.push(line.line);
      return lines;
    };
    let written = 0;
    for (let batch = 0; batch < 40; batch += 1) {
      const lines = Array.from({ length: 200 }, () => `line ${(written += 1)} ${"x".repeat(40)}`);
      writeSync(fd, `${lines.join("\n")}\n`);
      if (batch % 3 === 0) await read();
    }
    const lines = await read();
    expect(lines).toHaveLength(written);
    expect(lines.every((line, i) => line.startsWith(`line ${i + 1} `))).toBe(true);
    // 8,000 lines of ~50 bytes (~400 KB) went through a 64 KB bound: the live file and its one copy stay near it.
    expect(statSync(writer.files.stdout).size).toBeLessThan(64 * 1024);
    expect(statSync(`${writer.files.stdout}.1`).size).toBeLessThan(3 * 64 * 1024);
    // The descriptor the writer kept appends at the start of the emptied file.
    writeSync(fd, "after rotation\n");
    expect((await read()).at(-1)).toBe("after rotation");
    closeSync(fd);
    writer.close();
    store.forget("dev", workload);
    const dir = join(dataDir, "namespaces", "dev", "logs", "deployment-chatty");
    await waitFor("the rotated files removed with the workload", async () => ((await readdir(dir).catch(() => undefined)) === undefined ? true : undefined), 5_000);
  });

  it("sweeps log files no replica of this store opened once they are an hour old, keeping its own and recent ones", async () => {
    const dataDir = join(root, "log-sweep");
    const earlier = new LogStore({ dataDir });
    const workload = { kind: "Deployment" as const, name: "api" };
    // An earlier slipway's replicas: api-old was not adopted, api-kept is adopted below, api-recent wrote a minute ago.
    for (const replica of ["api-old", "api-kept", "api-recent"]) {
      const writer = earlier.open("dev", workload, replica);
      await appendFile(writer.files.stdout, `${replica}\n`);
      writer.close();
    }
    const old = earlier.filesOf("dev", workload, "api-old");
    await appendFile(`${old.stdout}.1`, "rotated\n");
    const gone = await mkdtemp(join(dataDir, "namespaces", "gone-")); // a namespace whose only workload left
    const goneDir = join(gone, "logs", "deployment-x");
    await mkdir(goneDir, { recursive: true });
    await appendFile(join(goneDir, "x-1.stdout.log"), "x\n");
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const file of [old.stdout, old.stderr, `${old.stdout}.1`, join(goneDir, "x-1.stdout.log"), ...Object.values(earlier.filesOf("dev", workload, "api-kept"))]) await utimes(file, hourAgo, hourAgo);

    const store = new LogStore({ dataDir });
    const adopted = store.open("dev", workload, "api-kept");
    const removed = await store.sweep(Date.now() - 60 * 60 * 1000);
    expect(removed.map((file) => file.slice(dataDir.length + 1)).sort()).toEqual(
      [`${old.stderr}`, `${old.stdout}`, `${old.stdout}.1`, join(goneDir, "x-1.stdout.log")].map((file) => file.slice(dataDir.length + 1)).sort(),
    );
    const left = (await readdir(join(dataDir, "namespaces", "dev", "logs", "deployment-api"))).sort();
    expect(left).toEqual(["api-kept.stderr.log", "api-kept.stdout.log", "api-recent.stderr.log", "api-recent.stdout.log"]);
    await expect(readdir(goneDir)).rejects.toThrow();
    adopted.close();
  });

  it("removes the files of replicas beyond the retained ones, and of a deleted workload", async () => {
    const dataDir = join(root, "log-retention");
    const store = new LogStore({ dataDir, retainedReplicas: 2 });
    const workload = { kind: "Deployment" as const, name: "api" };
    const dir = join(dataDir, "namespaces", "dev", "logs", "deployment-api");
    const listed = async () => (await readdir(dir).catch(() => [])).filter((name) => name.endsWith(".stdout.log")).sort();
    for (const replica of ["api-1", "api-2", "api-3", "api-4"]) {
      const writer = store.open("dev", workload, replica);
      await appendFile(writer.files.stdout, `${replica} up\n`);
      writer.close();
    }
    // Each open keeps the two newest stopped replicas: api-4 dropped api-1, api-5 dropped api-2; a live one is never dropped.
    const live = store.open("dev", workload, "api-5");
    await waitFor("files of dropped replicas removed", async () => ((await listed()).join() === "api-3.stdout.log,api-4.stdout.log,api-5.stdout.log" ? true : undefined), 5_000);
    live.close();
    store.forget("dev", workload);
    await waitFor("the workload's directory removed", async () => ((await readdir(dir).catch(() => undefined)) === undefined ? true : undefined), 5_000);
  });

  it("takes over a SIGKILLed runtime's replicas (no readiness probe: once the port answers), serves and rolls them forward", async () => {
    const dataDir = join(root, "runtime");
    const bundle = join(root, "runtime-host.mjs");
    await build({ entryPoints: [runtimeHost], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "warning" });
    const web = (version: string) => appDeployment({ name: "web", version, replicas: 2, container: { readinessProbe: undefined } });
    const host = spawn(process.execPath, [bundle, dataDir, JSON.stringify([appService("web"), web("v1")])], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    host.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    await waitFor("the first runtime converged", () => out.includes("converged"), 20_000);
    const records = new ReplicaRegistry(join(dataDir, "replica-records")).list();
    expect(records).toHaveLength(2);
    pids.push(...records.map((record) => record.pid));
    host.kill("SIGKILL");
    await new Promise((resolve) => host.once("exit", resolve));
    for (const record of records) expect(isSameProcessRunning(record.pid, record.startTime)).toBe(true);

    const runtime = createLocalRuntime({ dataDir, backoff: { initialMs: 100, maxMs: 400 } });
    try {
      expect(runtime.capabilities.adoptsReplicas).toBe(true);
      await runtime.apply("dev", [appService("web"), web("v1")]);
      const adopted = await waitFor("both replicas adopted and ready", () => {
        const state = runtime.snapshot("dev").deployments[0];
        return state?.complete && state.readyReplicas === 2 ? state : undefined;
      });
      expect(adopted.pods.map((pod) => pod.pid).sort()).toEqual(records.map((record) => record.pid).sort());
      const port = runtime.snapshot("dev").services[0].ports[0].hostPort;
      expect((await httpGet(`http://127.0.0.1:${port}/`)).body).toMatch(/^v1 /);
      await runtime.apply("dev", [appService("web"), web("v2")]);
      await waitFor("rolled to v2", () => {
        const state = runtime.snapshot("dev").deployments[0];
        return state?.complete && state.pods.every((pod) => !records.some((record) => record.pid === pod.pid)) ? state : undefined;
      }, 20_000);
      for (const record of records) expect(isSameProcessRunning(record.pid, record.startTime)).toBe(false);
      const lines: string[] = [];
      for await (const line of runtime.logs("dev", { kind: "Deployment", name: "web" })) lines.push(line.line.replace(/\d+/, "N"));
      // The adopted replicas' lines from before the kill, their SIGTERM at the rollout, and the new ones.
      expect(lines.filter((line) => line === "listening on N version v1")).toHaveLength(2);
      expect(lines.filter((line) => line.startsWith("SIGTERM"))).toHaveLength(2);
      expect(lines.filter((line) => line === "listening on N version v2")).toHaveLength(2);
    } finally {
      await runtime.close();
    }
    expect(new ReplicaRegistry(join(dataDir, "replica-records")).list()).toEqual([]);
  }, 60_000);
});
