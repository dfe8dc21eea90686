/**
 * Cost-saving schedules end to end on the local runtime, with an injected clock: outside uptime the dev
 * environment's Deployment goes to 0 replicas and self-heal leaves it there; `slipway env wake dev --for 2h`
 * brings git's replicas back until the override ends; exclusions keep an app up; uptime restores it; the
 * sleeps are logged as events and counted as replica-hours saved.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import type { EnvironmentPower } from "../../src/server/services/schedules";
import type { SyncRecord } from "../../src/sync/controller/types";
import { assertBuilt, parseJson, slipway } from "../support/cli";
import { startServer } from "../../src/server/up";
import { apiCaller, startTestServer, waitUntil, type TestServer } from "../support/server";
import { application, webDeployment, webService } from "../sync/controller/harness";

const webApp = application.replace("name: web-dev", "name: web");
// Wednesday 2026-03-25 12:00 Berlin (CET, UTC+1).
const wednesdayNoon = Date.parse("2026-03-25T11:00:00Z");
const H = 3_600_000;

describe("sleep and wake through the server", () => {
  let t: TestServer;
  const clock = new ManualClock(wednesdayNoon);
  let cli: Record<string, string>;

  const replicas = async (): Promise<ReplicaView[]> => (await t.admin.api<ReplicaView[]>("GET", "/apps/web/replicas")).body;
  const readyCount = async (): Promise<number> => (await replicas()).filter((r) => r.ready).length;
  const waitForReplicas = (count: number) =>
    waitUntil(`${count} ready replica(s) and nothing else`, async () => {
      const all = await replicas();
      return all.length === count && all.every((r) => r.ready) ? all : undefined;
    }, 60_000, 100);

  beforeAll(async () => {
    assertBuilt();
    const port = await freeLoopbackPort();
    t = await startTestServer({ clock, delivery: { ingressPorts: { dev: port }, resyncMs: 0, driftCheckMs: 300 } });
    cli = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token };
    await t.createRepo("acme/deploy");
    const work = await t.workingCopy("acme/deploy", t.admin.token);
    await work.commit("web v1", {
      "apps/web.yaml": webApp,
      "envs/dev/web/deployment.yaml": webDeployment({ version: "v1", replicas: 2 }),
      "envs/dev/web/service.yaml": webService,
    });
    await work.ok("push", "-q", "origin", "HEAD:main");
    await waitForReplicas(2);
  }, 90_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("refuses a bad schedule or an unknown environment, changing nothing", async () => {
    const bad = await t.admin.api<{ error: { code: string; message: string } }>("PUT", "/environments/dev/schedule", { uptime: "Mon-Fri 8-19 Europe/Berlin" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('uptime "Mon-Fri 8-19 Europe/Berlin": "8" is not a time HH:MM');
    expect((await t.admin.api<EnvironmentPower>("GET", "/environments/dev/schedule")).body).toMatchObject({ uptime: null, state: "awake" });
    expect((await t.admin.api("POST", "/environments/nowhere/sleep", {})).status).toBe(404);
    const viewer = await t.createUser("viewer");
    expect((await viewer.api("POST", "/environments/dev/sleep", {})).status).toBe(403);
    expect((await t.admin.api("POST", "/environments/dev/sleep", { for: "soon" })).status).toBe(400);
    expect(await readyCount()).toBe(2);
  }, 30_000);

  it("sleeps outside uptime; self-heal does not undo it", async () => {
    const set = await slipway(["env", "schedule", "dev", "Mon-Fri 08:00-19:00 Europe/Berlin", "--json"], t.root, cli);
    expect(set.code, set.stderr).toBe(0);
    expect(parseJson<EnvironmentPower>(set)).toMatchObject({ state: "awake", decision: { reason: "schedule", until: Date.parse("2026-03-25T18:00:00Z") } });

    clock.set(Date.parse("2026-03-25T18:30:00Z")); // 19:30 Berlin
    await t.server.context.schedules.evaluate();
    await waitForReplicas(0);
    const asleep = (await t.admin.api<EnvironmentPower>("GET", "/environments/dev/schedule")).body;
    expect(asleep).toMatchObject({ state: "asleep", sleepingReplicas: { "web/web": 2 } });

    // Several drift checks later the Deployment is still at 0 and the app is in sync with its (scheduled) desired state.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await replicas()).toHaveLength(0);
    const app = (await t.admin.api<AppSummary & { history: SyncRecord[] }>("GET", "/apps/web")).body;
    expect(app.sync).toBe("Synced");
    expect(app.history.filter((record) => record.trigger.kind === "self-heal" && Date.parse(record.startedAt) > Date.now() - 1500)).toHaveLength(0);
  }, 60_000);

  it("`slipway env wake dev --for 2h` restores git's replicas until the override ends", async () => {
    const woken = await slipway(["env", "wake", "dev", "--for", "2h", "--json"], t.root, cli);
    expect(woken.code, woken.stderr).toBe(0);
    expect(parseJson<EnvironmentPower>(woken)).toMatchObject({ state: "awake", decision: { reason: "override", until: clock.now() + 2 * H } });
    await waitForReplicas(2);

    clock.advance(2 * H + 60_000); // 21:31 Berlin: the override is over
    await t.server.context.schedules.evaluate();
    await waitForReplicas(0);
  }, 90_000);

  it("keeps an excluded app up while the environment sleeps", async () => {
    await t.admin.api("PUT", "/environments/dev/schedule", { uptime: "Mon-Fri 08:00-19:00 Europe/Berlin", exclusions: ["web"] });
    await waitForReplicas(2);
    await t.admin.api("PUT", "/environments/dev/schedule", { uptime: "Mon-Fri 08:00-19:00 Europe/Berlin", exclusions: [] });
    await waitForReplicas(0);
  }, 90_000);

  it("wakes at uptime and reports the replica-hours saved", async () => {
    clock.set(Date.parse("2026-03-26T07:00:00Z")); // Thursday 08:00 Berlin
    await t.server.context.schedules.evaluate();
    await waitForReplicas(2);

    const savings = await slipway(["env", "savings", "--env", "dev", "--json"], t.root, cli);
    expect(savings.code, savings.stderr).toBe(0);
    // Asleep 19:30–19:30 (woken at once) and 21:31–08:00 with 2 replicas: 2 × 10 h 29 min.
    expect(parseJson<{ replicaHours: number }>(savings).replicaHours).toBeCloseTo(2 * (10 + 29 / 60), 1);
    const events = await t.server.context.store.events.list({ subject: "env:dev" });
    expect(events.map((e) => e.type)).toEqual(["environment.sleep", "environment.wake", "environment.sleep", "environment.wake"]);
    expect(events[3].payload).toMatchObject({ environment: "dev", reason: "schedule", replicas: { "web/web": 2 } });
  }, 90_000);

  it("`slipway env sleep dev` lasts until uptime next begins, and survives a restart of the server", async () => {
    const slept = await slipway(["env", "sleep", "dev", "--json"], t.root, cli);
    expect(slept.code, slept.stderr).toBe(0);
    // Thursday 08:00 Berlin now: asleep until Friday 08:00 (07:00 UTC).
    expect(parseJson<EnvironmentPower>(slept)).toMatchObject({ state: "asleep", decision: { reason: "override", until: Date.parse("2026-03-27T07:00:00Z") } });
    await waitForReplicas(0);

    await t.server.close();
    const port = await freeLoopbackPort();
    const again = await startServer({ dataDir: t.dataDir, port: 0, clock, log: () => undefined, delivery: { ingressPorts: { dev: port }, resyncMs: 0, driftCheckMs: 300 } });
    try {
      const api = apiCaller(again.url, t.admin.token);
      const app = await waitUntil("web reconciled after the restart", async () => {
        const response = await api<AppSummary>("GET", "/apps/web");
        return response.status === 200 && response.body.sync === "Synced" ? response.body : undefined;
      }, 60_000, 100);
      expect(app.health).toBe("Healthy");
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await api<ReplicaView[]>("GET", "/apps/web/replicas")).body).toHaveLength(0);
      expect((await api<EnvironmentPower>("POST", "/environments/dev/wake", {})).body.state).toBe("awake");
      await waitUntil("2 replicas after wake", async () => ((await api<ReplicaView[]>("GET", "/apps/web/replicas")).body.filter((r) => r.ready).length === 2 ? true : undefined), 60_000, 100);
    } finally {
      await again.close();
    }
  }, 120_000);
});
