/**
 * The delivery issue's acceptance test, one suite run on every runtime (host processes, Docker containers): `slipway up`
 * runs web v1 from its image with 3 replicas in dev while autocannon sends constant traffic through the dev ingress;
 * promote v2 → rolled out with 0 failed requests; promote a v3 broken by its image → rolled back with 0 failed requests
 * and a revert commit; a SIGKILLed replica is healed with 0 failed requests; slipway SIGKILLed mid-rollout and started
 * again adopts the live replicas and converges with exactly 3 of them; nothing is left behind (by pid and by label).
 */

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promote } from "../../src/gitops/promote";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import type { SyncRecord } from "../../src/sync/controller/types";
import { assertBuilt } from "../support/cli";
import { gitUrl, waitUntil, WorkingCopy } from "../support/server";
import { buildAndPushWebImage, describeLoad, importNodeBase, startAutocannon, webApplication, webDeployment, webIngress, webService } from "./support/delivery-env";
import { e2eRuntimes, processesWithEnv } from "./support/e2e-runtimes";
import { startE2eServer, type E2eServer } from "./support/e2e-server";

type AppDetails = AppSummary & { history: SyncRecord[] };

const dir = "envs/dev/web";
const connections = 10;
const requestsPerSecond = 1500;
/** What each version's image says in its config: v3 never gets ready, v4 listens 2.5 s late (a rollout to catch midway). */
const imageEnv: Record<string, Record<string, string>> = {
  "1.0.0": { VERSION: "1.0.0" },
  "2.0.0": { VERSION: "2.0.0" },
  "3.0.0": { VERSION: "3.0.0", BROKEN: "1" },
  "4.0.0": { VERSION: "4.0.0", START_DELAY_MS: "2500" },
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The builder's store with node-base:20, made once for every runtime's suite. */
let builderStore: Promise<string> | undefined;
const webImageStore = (): Promise<string> =>
  (builderStore ??= (async () => {
    const storeDir = await mkdtemp(join(tmpdir(), "slipway-e2e-images-"));
    await importNodeBase(storeDir);
    return storeDir;
  })());
afterAll(async () => {
  if (builderStore) await rm(await builderStore, { recursive: true, force: true });
});

for (const runtime of e2eRuntimes) {
  describe.skipIf(!runtime.runnable)(`delivery under load on the ${runtime.name} runtime (slipway up, autocannon through the dev ingress)`, () => {
    const marker = randomUUID();
    let server: E2eServer | undefined;
    let work: WorkingCopy;
    let imageRepo = "";
    const shas: Record<string, string> = {};
    const report: string[] = [];

    const up = (): E2eServer => {
      if (!server) throw new Error("the server is not started");
      return server;
    };
    const app = async (): Promise<AppDetails> => {
      const response = await up().api<AppDetails>("GET", "/apps/web");
      if (response.status !== 200) throw new Error(`GET /apps/web: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    };
    const replicas = async (): Promise<ReplicaView[]> => {
      const response = await up().api<ReplicaView[]>("GET", "/apps/web/replicas");
      return response.status === 200 ? response.body : [];
    };
    const pids = (views: ReplicaView[]): number[] => views.map((replica) => replica.pid ?? 0).sort((a, b) => a - b);
    /** Healthy and idle at one of `revisions`, exactly 3 replicas, all ready on `version`. */
    const settledOn = (revisions: string[], version: string, timeoutMs = 60_000) =>
      waitUntil(`web Healthy at ${revisions.map((sha) => sha.slice(0, 7)).join(" or ")} with 3 ready replicas on v${version}`, async () => {
        const status = await app().catch(() => undefined);
        if (!status || status.health !== "Healthy" || !revisions.includes(status.syncedRevision ?? "") || status.operation !== "Idle") return undefined;
        const live = await replicas();
        const settled = live.length === 3 && live.every((replica) => replica.ready && replica.pid && replica.image === `${imageRepo}:v${version}`);
        return settled ? { status, live } : undefined;
      }, timeoutMs, 100);
    const promoteWeb = (version: string) =>
      promote({ envRepo: gitUrl(up().url, "acme/deploy", up().token), service: "web", version, env: "dev", image: imageRepo, registry: { credentials: { username: "admin", password: up().token } }, actor: "mona", runId: `e2e-${version}`, sourceCommit: "0123456789abcdef0123456789abcdef01234567" });
    const servedVersion = async (): Promise<string> => (await (await fetch(`${up().ingressUrl}/`)).text()).split(" ")[0] ?? "";
    /** Runs `during` under constant traffic; returns its result and the load, which must have had no failed request. */
    const underLoad = async <T>(phase: string, during: () => Promise<T>): Promise<{ outcome: T; versions: Record<string, number> }> => {
      const load = startAutocannon(`${up().ingressUrl}/`, connections, requestsPerSecond);
      await pause(1000);
      const started = Date.now();
      const outcome = await during().catch(async (error: unknown) => {
        await load.stop();
        throw error;
      });
      const tookMs = Date.now() - started;
      await pause(1000);
      const result = await load.stop();
      report.push(`${phase} in ${tookMs} ms`, `  ${describeLoad("load", result)}`);
      expect(result.failures).toEqual([]);
      expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, ok: result.ok }).toEqual({ non2xx: 0, errors: 0, timeouts: 0, ok: result.requests });
      return { outcome, versions: result.versions };
    };
    /** What runs of the app, seen from the host (by the marker in its env) and from the engine (by owner label): exactly `expected`. */
    const leftBehind = async () => ({ pids: await processesWithEnv("E2E_MARKER", marker), containers: server ? await runtime.containers(server) : [] });
    const exactly = (expected: ReplicaView[]) => ({ pids: pids(expected), containers: expected.map((replica) => replica.containerId ?? "").filter(Boolean).sort() });

    beforeAll(async () => {
      assertBuilt();
      await runtime.prepare();
      const storeDir = await webImageStore();
      server = await startE2eServer(runtime.name);
      imageRepo = `${server.host}/acme/web`;
      for (const name of ["acme/deploy", "acme/web"]) expect((await server.api("POST", "/repos", { name })).status).toBe(201);
      for (const [version, env] of Object.entries(imageEnv)) await buildAndPushWebImage(server, storeDir, "acme/web", version, env, [`v${version}`], "node-base:20");
      work = await WorkingCopy.create(join(server.root, "deploy"), gitUrl(server.url, "acme/deploy", server.token), server.home);
      shas.v1 = await work.commit("web v1.0.0 in dev", {
        "apps/web.yaml": webApplication(runtime.destination),
        [`${dir}/deployment.yaml`]: webDeployment(`${imageRepo}:v1.0.0`, marker, 10),
        [`${dir}/service.yaml`]: webService,
        [`${dir}/ingress.yaml`]: webIngress,
      });
      await work.ok("push", "-q", "origin", "HEAD:main");
    }, 180_000);

    afterAll(async () => {
      console.log(`[delivery under load, ${runtime.name} runtime]\n  ${report.join("\n  ")}`);
      const stopped = server;
      await stopped?.stop();
      // The server's graceful stop ended every replica: no process with the marker, no container with its owner label.
      const after = await leftBehind();
      await runtime.release(stopped, Object.keys(imageEnv).map((version) => `${imageRepo}:v${version}`));
      expect(after).toEqual({ pids: [], containers: [] });
    }, 120_000);

    it("runs v1 from its image with 3 ready replicas behind the dev ingress", async () => {
      const { live } = await settledOn([shas.v1], "1.0.0");
      expect(await servedVersion()).toBe("1.0.0");
      expect((await app()).runtime).toBe(runtime.name);
      expect(await leftBehind()).toEqual(exactly(live));
      // Every container says whose it is: application, namespace and Deployment.
      expect(await runtime.containers(up(), ["slipway.dev/application=web", "slipway.dev/namespace=dev", "slipway.dev/workload=web"])).toEqual(exactly(live).containers);
    }, 60_000);

    it("promotes v2 under constant traffic: rolled out with 0 failed requests, every replica on v2", async () => {
      const before = pids(await replicas());
      const { outcome, versions } = await underLoad("promote v2 → rolled out", async () => {
        const promoted = await promoteWeb("2.0.0");
        expect(promoted).toMatchObject({ alreadyAtVersion: false, changedFiles: [`${dir}/deployment.yaml`], newImage: `${imageRepo}:v2.0.0`, previousImage: `${imageRepo}:v1.0.0` });
        shas.v2 = promoted.commit ?? "";
        return settledOn([shas.v2], "2.0.0");
      });
      expect(versions["1.0.0"]).toBeGreaterThan(0);
      expect(versions["2.0.0"]).toBeGreaterThan(0);
      expect(pids(outcome.live).every((pid) => !before.includes(pid))).toBe(true);
      expect(await servedVersion()).toBe("2.0.0");
      expect((await app()).history[0]).toMatchObject({ revision: shas.v2, result: "Succeeded", trigger: { kind: "push" } });
    }, 90_000);

    it("promotes v3, broken by its image, under constant traffic: rolled back with 0 failed requests and a revert commit", async () => {
      const v2Pids = pids(await replicas());
      const { outcome, versions } = await underLoad("promote broken v3 → rolled back", async () => {
        shas.v3 = (await promoteWeb("3.0.0")).commit ?? "";
        const record = await waitUntil("the rollback of v3", async () => (await app()).history.find((entry) => entry.revision === shas.v3 && entry.result !== undefined), 60_000, 200);
        // On v2: synced at v2, or at the revert commit when a drift check queued a self-heal behind the rollback.
        return { record, settled: await settledOn([shas.v2, record.revertCommit ?? shas.v2], "2.0.0") };
      });
      const { record, settled } = outcome;
      expect(record).toMatchObject({ result: "RolledBack", rolledBackTo: shas.v2 });
      expect(record.message).toMatch(/progress deadline/);
      expect(Object.keys(versions)).toEqual(["2.0.0"]);
      expect(settled.status).toMatchObject({ health: "Healthy", sync: "Synced", targetRevision: record.revertCommit });
      // The v2 replicas never stopped serving, and the v3 ones are gone.
      expect(pids(settled.live)).toEqual(v2Pids);
      expect(await leftBehind()).toEqual(exactly(settled.live));

      await work.ok("fetch", "-q", "origin", "main");
      expect(await work.ok("rev-parse", "origin/main")).toBe(record.revertCommit);
      expect(await work.ok("rev-parse", "origin/main^")).toBe(shas.v3);
      expect(await work.ok("log", "-1", "--format=%B", "origin/main")).toContain(`This reverts commit ${shas.v3}`);
      expect(await work.ok("diff", shas.v2, "origin/main", "--", dir)).toBe("");
      expect(await work.ok("show", `origin/main:${dir}/deployment.yaml`)).toContain(`image: ${imageRepo}:v2.0.0 # promoted by slipway`);
      shas.head = record.revertCommit ?? "";
    }, 90_000);

    it("heals a replica killed with SIGKILL under constant traffic, with 0 failed requests", async () => {
      const [victim] = await replicas();
      if (!victim?.pid) throw new Error("no replica to kill");
      const { outcome: back } = await underLoad("SIGKILL of one replica → restarted and ready", async () => {
        process.kill(victim.pid as number, "SIGKILL");
        return waitUntil(`${victim.name} restarted and ready`, async () => (await replicas()).find((replica) => replica.name === victim.name && replica.ready && replica.restarts === victim.restarts + 1), 30_000, 100);
      });
      expect(back.pid).not.toBe(victim.pid);
      expect(back.image).toBe(`${imageRepo}:v2.0.0`);
      expect(await app()).toMatchObject({ health: "Healthy", sync: "Synced" });
      const { live } = await settledOn([shas.v2, shas.head], "2.0.0");
      expect(await leftBehind()).toEqual(exactly(live));
    }, 60_000);

    it("converges after slipway is SIGKILLed mid-rollout: live replicas adopted, exactly 3 on v4, none left over", async () => {
      const v2 = await replicas();
      const started = Date.now();
      shas.v4 = (await promoteWeb("4.0.0")).commit ?? "";
      const midway = await waitUntil("a v4 replica started", async () => {
        const live = await replicas();
        return live.some((replica) => replica.image === `${imageRepo}:v4.0.0` && replica.pid) ? live : undefined;
      }, 30_000, 50);
      const startedV4 = midway.filter((replica) => replica.image === `${imageRepo}:v4.0.0` && replica.pid);
      expect(startedV4.every((replica) => !replica.ready)).toBe(true);
      await up().kill();
      // The replicas are no children of the server in spirit: they outlive it.
      expect([...v2, ...startedV4].map((replica) => replica.pid as number).filter(alive)).toEqual([...v2, ...startedV4].map((replica) => replica.pid));
      await up().restart();
      const { live } = await settledOn([shas.v4], "4.0.0");
      report.push(`SIGKILL of slipway mid-rollout to v4 → restarted and converged in ${Date.now() - started} ms`);
      // A v4 replica that was starting when the server died was adopted, not replaced; nothing else runs.
      expect(startedV4.some((replica) => pids(live).includes(replica.pid as number))).toBe(true);
      await waitUntil("exactly the 3 v4 replicas", async () => (JSON.stringify(await leftBehind()) === JSON.stringify(exactly(live)) ? true : undefined), 20_000, 200);
      expect(await servedVersion()).toBe("4.0.0");
      const logs = await fetch(`${up().url}/api/v1/namespaces/dev/logs?target=deploy/web`, { headers: { authorization: `Bearer ${up().token}` } });
      expect(logs.status).toBe(200);
      expect(await logs.text()).toMatch(/listening on \d+ version 4\.0\.0/);
    }, 120_000);
  });
}
