/**
 * The delivery issue's acceptance test, end to end under load: `slipway up` runs web v1 with 3 replicas in dev while
 * autocannon sends constant traffic through the dev ingress; promote v2 → rolled out with 0 failed requests; promote a
 * broken v3 → rolled back by the controller with 0 failed requests, a revert commit on the env repo, Healthy on v2.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promote } from "../../src/gitops/promote";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import type { SyncRecord } from "../../src/sync/controller/types";
import { assertBuilt } from "../support/cli";
import { gitUrl, waitUntil, WorkingCopy } from "../support/server";
import { buildAndPushWebImage, describeLoad, readerSecret, startAutocannon, startE2eServer, webApplication, webDeployment, webIngress, webService, type E2eServer } from "./support/delivery-env";

type AppDetails = AppSummary & { history: SyncRecord[] };

const dir = "envs/dev/web";
const connections = 10;
const requestsPerSecond = 1500;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("delivery under load (slipway up, autocannon through the dev ingress)", () => {
  let server: E2eServer;
  let work: WorkingCopy;
  let imageRepo: string;
  let storeDir: string;
  const seenPids = new Set<number>();
  const shas: Record<string, string> = {};
  const report: string[] = [];

  const app = async (): Promise<AppDetails> => {
    const response = await server.api<AppDetails>("GET", "/apps/web");
    if (response.status !== 200) throw new Error(`GET /apps/web: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const replicas = async (): Promise<ReplicaView[]> => {
    const response = await server.api<ReplicaView[]>("GET", "/apps/web/replicas");
    if (response.status !== 200) return [];
    for (const replica of response.body) if (replica.pid) seenPids.add(replica.pid);
    return response.body;
  };
  /** Healthy and idle at one of `revisions`, exactly 3 replicas, all ready on `version`. */
  const settledOn = (revisions: string[], version: string, timeoutMs = 60_000) =>
    waitUntil(`web Healthy at ${revisions.map((sha) => sha.slice(0, 7)).join(" or ")} with 3 ready replicas on v${version}`, async () => {
      const status = await app().catch(() => undefined);
      if (!status || status.health !== "Healthy" || !revisions.includes(status.syncedRevision ?? "") || status.operation !== "Idle") return undefined;
      const live = await replicas();
      const settled = live.length === 3 && live.every((replica) => replica.ready && replica.image === `${imageRepo}:v${version}`);
      return settled ? status : undefined;
    }, timeoutMs, 100);
  const promoteWeb = (version: string) =>
    promote({ envRepo: gitUrl(server.url, "acme/deploy", server.token), service: "web", version, env: "dev", image: imageRepo, registry: { credentials: { username: "admin", password: server.token } }, actor: "mona", runId: `e2e-${version}`, sourceCommit: "0123456789abcdef0123456789abcdef01234567" });
  const servedVersion = async (): Promise<string> => (await (await fetch(`${server.ingressUrl}/`)).text()).split(" ")[0] ?? "";
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    assertBuilt();
    server = await startE2eServer();
    imageRepo = `${server.host}/acme/web`;
    for (const name of ["acme/deploy", "acme/web"]) expect((await server.api("POST", "/repos", { name })).status).toBe(201);
    expect((await server.api("POST", "/users", { name: "reader" })).status).toBe(201);
    const reader = await server.api<{ token: string }>("POST", "/users/reader/tokens", { name: "replicas" });
    for (const repo of ["acme/deploy", "acme/web"]) expect((await server.api("PUT", `/repos/${repo}/members/reader`, { role: "viewer" })).status).toBe(200);
    storeDir = await mkdtemp(join(tmpdir(), "slipway-e2e-images-"));
    await buildAndPushWebImage(server, storeDir, "acme/web", "1.0.0", { VERSION: "1.0.0" });
    await buildAndPushWebImage(server, storeDir, "acme/web", "2.0.0", { VERSION: "2.0.0" });
    await buildAndPushWebImage(server, storeDir, "acme/web", "3.0.0", { VERSION: "3.0.0", BROKEN: "1" });
    work = await WorkingCopy.create(join(server.root, "deploy"), gitUrl(server.url, "acme/deploy", server.token), server.home);
    shas.v1 = await work.commit("web v1.0.0 in dev", {
      "apps/web.yaml": webApplication,
      [`${dir}/deployment.yaml`]: webDeployment(`${imageRepo}:v1.0.0`, server.url, 12),
      [`${dir}/secret.yaml`]: readerSecret(reader.body.token),
      [`${dir}/service.yaml`]: webService,
      [`${dir}/ingress.yaml`]: webIngress,
    });
    await work.ok("push", "-q", "origin", "HEAD:main");
  }, 60_000);

  afterAll(async () => {
    console.log(`[delivery under load]\n  ${report.join("\n  ")}`);
    await server?.stop();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
    // The server's close stopped every replica it ran.
    expect([...seenPids].filter(alive)).toEqual([]);
  }, 60_000);

  it("runs v1 with 3 ready replicas behind the dev ingress", async () => {
    await settledOn([shas.v1], "1.0.0");
    expect(await servedVersion()).toBe("1.0.0");
  }, 60_000);

  it("promotes v2 under constant traffic: rolled out with 0 failed requests, every replica on v2", async () => {
    const before = (await replicas()).map((replica) => replica.pid);
    const load = startAutocannon(`${server.ingressUrl}/`, connections, requestsPerSecond);
    await pause(1000);
    const started = Date.now();
    const promoted = await promoteWeb("2.0.0");
    expect(promoted).toMatchObject({ alreadyAtVersion: false, changedFiles: [`${dir}/deployment.yaml`], newImage: `${imageRepo}:v2.0.0`, previousImage: `${imageRepo}:v1.0.0` });
    shas.v2 = promoted.commit ?? "";
    await settledOn([shas.v2], "2.0.0");
    const rolloutMs = Date.now() - started;
    await pause(1000);
    const result = await load.stop();
    report.push(`promote v2 → rolled out in ${rolloutMs} ms`, describeLoad("load during v1 → v2", result));
    expect(result.failures).toEqual([]);
    expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(result.ok).toBe(result.requests);
    expect(result.versions["1.0.0"]).toBeGreaterThan(0);
    expect(result.versions["2.0.0"]).toBeGreaterThan(0);
    const after = await replicas();
    expect(after.every((replica) => !before.includes(replica.pid))).toBe(true);
    expect(await servedVersion()).toBe("2.0.0");
    expect((await app()).history[0]).toMatchObject({ revision: shas.v2, result: "Succeeded", trigger: { kind: "push" } });
  }, 90_000);

  it("promotes a broken v3 under constant traffic: the controller rolls back with 0 failed requests and reverts git", async () => {
    const v2Pids = (await replicas()).map((replica) => replica.pid).sort();
    const load = startAutocannon(`${server.ingressUrl}/`, connections, requestsPerSecond);
    await pause(1000);
    const started = Date.now();
    const promoted = await promoteWeb("3.0.0");
    shas.v3 = promoted.commit ?? "";
    const record = await waitUntil("the rollback of v3", async () => (await app()).history.find((entry) => entry.revision === shas.v3 && entry.result !== undefined), 90_000, 200);
    expect(record).toMatchObject({ result: "RolledBack", rolledBackTo: shas.v2 });
    expect(record.message).toMatch(/progress deadline/);
    // On v2: synced at v2, or at the revert commit when a drift check queued a self-heal behind the rollback.
    const status = await settledOn([shas.v2, record.revertCommit ?? shas.v2], "2.0.0");
    const rollbackMs = Date.now() - started;
    await pause(1000);
    const result = await load.stop();
    report.push(`promote broken v3 → rolled back in ${rollbackMs} ms (${record.message ?? ""})`, describeLoad("load during v3 → rollback", result));
    expect(result.failures).toEqual([]);
    expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(Object.keys(result.versions)).toEqual(["2.0.0"]);
    expect(status).toMatchObject({ health: "Healthy", sync: "Synced", targetRevision: record.revertCommit });
    // The v2 replicas never stopped serving.
    expect((await replicas()).map((replica) => replica.pid).sort()).toEqual(v2Pids);

    await work.ok("fetch", "-q", "origin", "main");
    const head = await work.ok("rev-parse", "origin/main");
    expect(head).toBe(record.revertCommit);
    expect(await work.ok("rev-parse", "origin/main^")).toBe(shas.v3);
    expect(await work.ok("log", "-1", "--format=%B", "origin/main")).toContain(`This reverts commit ${shas.v3}`);
    expect(await work.ok("diff", shas.v2, "origin/main", "--", dir)).toBe("");
    expect(await work.ok("show", `origin/main:${dir}/deployment.yaml`)).toContain(`image: ${imageRepo}:v2.0.0 # promoted by slipway`);
  }, 120_000);

  it("restarts a replica killed with SIGKILL under constant traffic, with 0 failed requests", async () => {
    const [victim] = await replicas();
    if (!victim?.pid) throw new Error("no replica to kill");
    const load = startAutocannon(`${server.ingressUrl}/`, connections, requestsPerSecond);
    await pause(1000);
    const started = Date.now();
    process.kill(victim.pid, "SIGKILL");
    const back = await waitUntil(`${victim.name} restarted and ready`, async () => (await replicas()).find((replica) => replica.name === victim.name && replica.ready && replica.restarts === victim.restarts + 1), 30_000, 100);
    const restartMs = Date.now() - started;
    await pause(1000);
    const result = await load.stop();
    report.push(`SIGKILL of one replica → restarted and ready in ${restartMs} ms`, describeLoad("load during the SIGKILL", result));
    expect(back.pid).not.toBe(victim.pid);
    expect(back.image).toBe(`${imageRepo}:v2.0.0`);
    expect(result.failures).toEqual([]);
    expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ non2xx: 0, errors: 0, timeouts: 0 });
    expect(await app()).toMatchObject({ health: "Healthy", sync: "Synced" });
  }, 60_000);
});
