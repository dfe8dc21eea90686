/**
 * The server stopped while a sync waits for a revision that never becomes ready (progressDeadlineSeconds left at 600):
 * the stop is prompt, the sync is recorded as interrupted (no rollback, no revert commit, no failure event or failed
 * deployment), the next start on the same data directory carries on with that revision, and a fixing commit pushed
 * meanwhile supersedes the wait and becomes Healthy. A PreSync hook Job that would run for 10 minutes is interrupted
 * the same way. No replica or hook process is left running after a stop (checked by pid).
 */

import { readdir, readFile, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import { startServer, type RunningServer } from "../../src/server/up";
import type { SyncRecord } from "../../src/sync/controller/types";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { appServer } from "../runtime/support";
import { hookJobYaml, webApplicationYaml, webDeploymentYaml, webIngressYaml, webServiceYaml, yamlFlag } from "../support/delivery-manifests";
import { apiCaller, gitUrl, startTestServer, waitUntil, type ApiCaller, type TestServer, type WorkingCopy } from "../support/server";

type AppDetails = AppSummary & { history: SyncRecord[] };

const dir = "envs/dev/web";

const application = webApplicationYaml({ name: "web", repo: "acme/deploy", env: "dev", destination: "name: local" });

/** No progressDeadlineSeconds: the default 600 s is what a never-ready revision would hold a waiting stop for. */
function deployment(version: string, neverReady: boolean): string {
  return webDeploymentYaml({
    image: `example/web:${version}`,
    replicas: 1,
    terminationGracePeriodSeconds: 2,
    rollingUpdate: "plain",
    command: [JSON.stringify(process.execPath), JSON.stringify(appServer)],
    env: { VERSION: version, NEVER_READY: yamlFlag(neverReady) },
    readiness: { failureThreshold: 1 },
  });
}

const hookMarker = `slipway-shutdown-hook-${process.pid}-${Date.now()}`;

/** A PreSync hook Job that would run for 10 minutes (activeDeadlineSeconds left at its default 600). */
const slowHook = hookJobYaml({
  name: "migrate",
  phase: "PreSync",
  image: "example/migrate:1",
  command: [JSON.stringify(process.execPath), '"-e"', '"setTimeout(() => undefined, 600000)"'],
  env: { HOOK_MARKER: hookMarker },
});

/** Live processes carrying the hook's marker in their environment (found in /proc). */
async function hookProcesses(): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, "utf8").catch(() => "");
    const state = (await readFile(`/proc/${name}/stat`, "utf8").catch(() => "")).replace(/^.*\) /s, "")[0];
    if (environ.split("\0").includes(`HOOK_MARKER=${hookMarker}`) && state !== "Z") found.push(Number(name));
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("stopping the server while a sync waits for a revision that never becomes ready", () => {
  let t: TestServer;
  /** The server started again on the same data directory (the latest one). */
  let restarted: RunningServer | undefined;
  let work: WorkingCopy;
  let previousHome: string | undefined;
  const pids = new Set<number>();
  const delivery = { ingressPorts: {} as Record<string, number>, resyncMs: 0, driftCheckMs: 0 };

  const details = async (api: ApiCaller): Promise<AppDetails | undefined> => {
    const response = await api<AppDetails>("GET", "/apps/web");
    return response.status === 200 ? response.body : undefined;
  };
  const replicas = async (api: ApiCaller): Promise<ReplicaView[]> => {
    const response = await api<ReplicaView[]>("GET", "/apps/web/replicas");
    for (const replica of response.status === 200 ? response.body : []) if (replica.pid) pids.add(replica.pid);
    return response.status === 200 ? response.body : [];
  };
  /** Starts the server again on the same data directory; the working copy pushes to it. */
  const restart = async (): Promise<{ server: RunningServer; api: ApiCaller }> => {
    const server = await startServer({ dataDir: t.dataDir, port: 0, log: () => undefined, delivery });
    restarted = server;
    await work.ok("remote", "set-url", "origin", gitUrl(server.url, "acme/deploy", t.admin.token));
    return { server, api: apiCaller(server.url, t.admin.token) };
  };
  /** Stops `server` (timed, printed) and checks no replica seen so far still runs. */
  const stop = async (server: RunningServer, what: string): Promise<void> => {
    const started = Date.now();
    await server.close();
    console.log(`${what}: the server stopped in ${Date.now() - started} ms`);
    for (const pid of pids) expect(alive(pid), `replica pid ${pid} after the stop`).toBe(false);
  };
  const remoteHead = async (): Promise<string> => (await work.ok("ls-remote", "origin", "refs/heads/main")).split(/\s/)[0];
  const push = async (label: string, files: Record<string, string>): Promise<string> => {
    const sha = await work.commit(label, files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    return sha;
  };
  /** Polls the app and its replicas until `done` holds; a timeout says what was seen last. */
  const appUntil = async (api: ApiCaller, what: string, done: (app: AppDetails, pods: ReplicaView[]) => boolean): Promise<AppDetails> => {
    let seen: unknown;
    return waitUntil(what, async () => {
      const app = await details(api);
      const pods = await replicas(api);
      seen = { app, pods };
      return app && done(app, pods) ? app : undefined;
    }, 60_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}; last seen: ${JSON.stringify(seen)}`);
    });
  };
  /** The app Progressing on `sha` with a v2 replica started and not ready: the sync is waiting for health. */
  const waitingOn = (api: ApiCaller, sha: string) =>
    appUntil(api, `a sync of ${sha.slice(0, 7)} waiting for health`, (app, pods) => app.operation === "Syncing" && app.health === "Progressing" && app.targetRevision === sha && pods.some((pod) => pod.image === "example/web:v2" && !pod.ready));
  const healthyAt = (api: ApiCaller, sha: string) =>
    appUntil(api, `web Healthy at ${sha.slice(0, 7)}`, (app) => app.health === "Healthy" && app.syncedRevision === sha && app.operation === "Idle");

  beforeAll(async () => {
    previousHome = process.env.HOME;
    delivery.ingressPorts = { dev: await freeLoopbackPort() };
    t = await startTestServer({ delivery });
    await t.createRepo("acme/deploy");
    work = await t.workingCopy("acme/deploy", t.admin.token);
  }, 60_000);

  afterAll(async () => {
    await restarted?.close().catch(() => undefined);
    await t?.server.close().catch(() => undefined);
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    process.env.HOME = previousHome;
    if (t) await rm(t.root, { recursive: true, force: true });
  });

  it("stops promptly, records the sync as interrupted without rolling back, and carries on after the next start", async () => {
    const v1 = await push("web v1", { "apps/web.yaml": application, [`${dir}/deployment.yaml`]: deployment("v1", false), [`${dir}/service.yaml`]: webServiceYaml, [`${dir}/ingress.yaml`]: webIngressYaml });
    await healthyAt(t.admin.api, v1);

    const v2 = await push("web v2 (never ready)", { [`${dir}/deployment.yaml`]: deployment("v2", true) });
    const waiting = await waitingOn(t.admin.api, v2);
    expect(waiting.history[0]).toMatchObject({ revision: v2 });
    expect(waiting.history[0].result).toBeUndefined();

    await stop(t.server, "a pushed sync waiting on a never-ready revision");

    const second = await restart();
    // No revert commit: the env repo still ends at v2.
    expect(await remoteHead()).toBe(v2);
    const resumed = await waitingOn(second.api, v2);
    const interrupted = resumed.history.find((record) => record.id === waiting.history[0].id);
    expect(interrupted).toMatchObject({ revision: v2, result: "Failed", message: "interrupted: slipway stopped during this sync" });
    expect(interrupted?.rolledBackTo).toBeUndefined();
    expect(interrupted?.revertCommit).toBeUndefined();
    const events = await second.server.context.store.events.list({ subject: "app:web" });
    expect(events.map((event) => event.type)).not.toContain("rollback");
    expect(events.filter((event) => event.type === "sync.failed")).toEqual([]);
    const deployments = await second.server.context.store.syncs.listDeployments({ repo: "acme/deploy", app: "web" });
    expect(deployments.filter((deployment) => deployment.revision === v2)).toEqual([]);

    // Stopped again during the startup reconcile (still waiting on v2): just as prompt, just as harmless.
    await stop(second.server, "the startup reconcile waiting on the never-ready revision");
    const { api } = await restart();
    expect(await remoteHead()).toBe(v2);
    const again = await waitingOn(api, v2);
    expect(again.history.find((record) => record.id === resumed.history[0].id)).toMatchObject({ revision: v2, trigger: { kind: "resync" }, result: "Failed", message: "interrupted: slipway stopped during this sync" });

    const v3 = await push("web v3 (fixed)", { [`${dir}/deployment.yaml`]: deployment("v3", false) });
    const healthy = await healthyAt(api, v3);
    expect(await remoteHead()).toBe(v3);
    const body = await (await fetch(`http://127.0.0.1:${delivery.ingressPorts.dev}/`)).text();
    expect(body.split(" ")[0]).toBe("v3");
    expect(healthy.history.find((record) => record.revision === v2 && record.id > waiting.history[0].id)).toMatchObject({ result: "Failed", message: expect.stringMatching(/^superseded: /) });
    expect(healthy.history.every((record) => record.result !== "RolledBack")).toBe(true);
    await replicas(api);

    // A PreSync hook Job that would run for 10 minutes: the stop interrupts that wait too, and ends the Job.
    const v4 = await push("web v4 (slow migration)", { [`${dir}/migrate.yaml`]: slowHook });
    await appUntil(api, "the v4 sync running its PreSync hook", (app) => app.operation === "Syncing" && app.targetRevision === v4);
    const hookPids = await waitUntil("the hook Job's process", async () => ((await hookProcesses()).length > 0 ? hookProcesses() : undefined), 30_000, 100);
    await stop(restarted as RunningServer, "a PreSync hook Job running");
    for (const pid of hookPids) expect(alive(pid), `hook pid ${pid} after the stop`).toBe(false);
    const last = await restart();
    expect(await remoteHead()).toBe(v4);
    const afterHook = await appUntil(last.api, "the v4 sync running its PreSync hook again", (app) => app.operation === "Syncing" && app.targetRevision === v4);
    expect(afterHook.history.find((record) => record.revision === v4 && record.result !== undefined)).toMatchObject({ result: "Failed", message: "interrupted: slipway stopped during this sync" });
    const types = (await last.server.context.store.events.list({ subject: "app:web" })).map((event) => event.type);
    expect(types).not.toContain("rollback");
    expect(types).not.toContain("sync.failed");

    expect(pids.size).toBeGreaterThanOrEqual(4);
    await stop(last.server, "the PreSync hook running again after the restart");
    restarted = undefined;
    expect(await hookProcesses()).toEqual([]);
  }, 180_000);
});
