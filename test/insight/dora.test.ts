/** DORA metrics from a scripted event history with known answers, read from a real store (SQLite and Postgres), plus the band thresholds. */

import { beforeAll, describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/core/json";
import { computeDora, failureRateBand, frequencyBand, leadTimeBand, median, restoreBand } from "../../src/insight/dora";
import { readDoraReport } from "../../src/insight/dora-reader";
import type { StoreDialect } from "../../src/store";
import { useStoreUnderTest } from "../store/store-fixtures";

const T0 = Date.UTC(2026, 10, 1);
const H = 3_600_000;
const at = (hours: number): number => T0 + hours * H;

/** [hours after T0, type, payload]: two prod apps, a dev app that must not count, one event before the window. */
const history: [number, string, JsonObject][] = [
  [-5, "app.deployed", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r0", commitTime: at(-6) }],
  [10, "app.deployed", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r1", commitTime: at(8) }],
  [10, "app.deployed", { app: "web-dev", repo: "shop/deploy", environment: "dev", revision: "d1", commitTime: at(9) }],
  [50, "sync.succeeded", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r2", result: "Succeeded", trigger: "push", commitAt: new Date(at(44)).toISOString() }],
  // Self-heal re-syncs r2: not a second deployment.
  [60, "sync.succeeded", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r2", result: "Succeeded", trigger: "self-heal" }],
  [100, "app.deployed", { app: "api", repo: "shop/deploy", environment: "prod", revision: "a1", commitTime: at(90) }],
  // r2 degrades in production: a failed change, restored 3 h later.
  [120, "app.health.degraded", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r2" }],
  [123, "app.health.healthy", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r2" }],
  // r3's commit time comes from the resolver (commit c3).
  [200, "app.deployed", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r3", commit: "c3" }],
  // r4's rollout degrades and is rolled back 30 minutes later: one failed deployment (not r3's), restored in 0.5 h.
  [299.5, "app.health.degraded", { app: "web", repo: "shop/deploy", environment: "prod", revision: "r4" }],
  [300, "rollback", { app: "web", repo: "shop/deploy", environment: "prod", failedRevision: "r4", restoredRevision: "r3" }],
  [400, "app.deployed", { app: "api", repo: "shop/deploy", environment: "prod", revision: "a2", commitTime: at(376) }],
  // a3 is rolled back by the safe rollout before anyone saw it fail: restored at once.
  [500, "rollback", { app: "api", repo: "shop/deploy", environment: "prod", failedRevision: "a3", restoredRevision: "a2" }],
  // A manual rollback's sync is a restore, not a deployment.
  [510, "sync.succeeded", { app: "api", repo: "shop/deploy", environment: "prod", revision: "a1", result: "Succeeded", trigger: "rollback" }],
  // Still degraded at the end of the window: an open incident.
  [700, "app.health.degraded", { app: "api", repo: "shop/deploy", environment: "prod", revision: "a1" }],
];

describe.each<StoreDialect>(["sqlite", "postgres"])("DORA from the event log on %s", (dialect) => {
  const context = useStoreUnderTest(dialect, T0);
  const { clock } = context;

  beforeAll(async () => {
    for (const [hours, type, payload] of history) {
      clock.set(at(hours));
      await context.store.events.append({ type, subject: `app:${String(payload.app)}`, payload });
    }
  });

  it("computes the four keys with their bands for prod over 30 days", async () => {
    const report = await readDoraReport(context.store.events, {
      environment: "prod",
      since: T0,
      until: T0 + 30 * 24 * H,
      commitTimeOf: async (commit) => (commit === "c3" ? at(199) : undefined),
    });
    // 5 successful deployments in 30 days: 1.17 a week → high.
    expect(report.deploymentFrequency).toMatchObject({ deployments: 5, band: "high" });
    expect(report.deploymentFrequency.value).toBeCloseTo(5 / 30, 6);
    expect(report.deploymentFrequency.perWeek).toBeCloseTo(35 / 30, 6);
    // Lead times 2, 6, 10, 1, 24 h → median 6 h → elite (under a day).
    expect(report.leadTime).toEqual({ value: 6 * H, band: "elite", samples: 5 });
    // r2 (degraded), r4 and a3 (rolled back) failed of 7 deployments → 42.9 % → low.
    expect(report.changeFailureRate).toMatchObject({ failed: 3, deployments: 7, band: "low" });
    expect(report.changeFailureRate.value).toBeCloseTo(3 / 7, 6);
    // Incidents 3 h, 0.5 h, 0 → median 30 min → elite; api's last degradation is still open.
    expect(report.timeToRestore).toEqual({ value: 0.5 * H, band: "elite", incidents: 3, open: 1 });
  });

  it("reads only the environment asked for, and only the window", async () => {
    const dev = await readDoraReport(context.store.events, { environment: "dev", since: T0, until: T0 + 30 * 24 * H });
    expect(dev.deploymentFrequency.deployments).toBe(1);
    expect(dev.leadTime.value).toBe(1 * H);
    const firstWeek = await readDoraReport(context.store.events, { environment: "prod", since: T0, until: at(7 * 24) });
    expect(firstWeek.deploymentFrequency).toMatchObject({ deployments: 3, band: "high" });
    expect(firstWeek.changeFailureRate).toMatchObject({ failed: 1, deployments: 3 });
    const empty = await readDoraReport(context.store.events, { environment: "staging", since: T0, until: T0 + 30 * 24 * H });
    expect(empty).toMatchObject({ leadTime: { value: null, band: null }, changeFailureRate: { value: null, band: null }, timeToRestore: { value: null, band: null }, deploymentFrequency: { deployments: 0, band: "low" } });
  });
});

describe("DORA bands (2023 State of DevOps clusters)", () => {
  it.each([
    [2, "elite"], [1, "elite"], [1 / 7, "high"], [0.5, "high"], [1 / 30, "medium"], [1 / 31, "low"],
  ] as const)("deployments per day %d → %s", (perDay, band) => expect(frequencyBand(perDay)).toBe(band));

  it.each([
    [30 * 60_000, "elite"], [23 * H, "elite"], [24 * H, "high"], [7 * 24 * H, "medium"], [30 * 24 * H, "low"],
  ] as const)("lead time %d ms → %s", (ms, band) => expect(leadTimeBand(ms)).toBe(band));

  it.each([[0, "elite"], [0.05, "elite"], [0.06, "high"], [0.1, "high"], [0.15, "medium"], [0.16, "low"]] as const)("failure rate %d → %s", (rate, band) => expect(failureRateBand(rate)).toBe(band));

  it.each([[59 * 60_000, "elite"], [H, "high"], [24 * H, "medium"], [7 * 24 * H, "low"]] as const)("restore time %d ms → %s", (ms, band) => expect(restoreBand(ms)).toBe(band));

  it("takes the median of odd and even samples, and ignores facts outside the window", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    const report = computeDora("prod", [{ kind: "deployed", at: T0 - 1, app: "a", revision: "x" }], T0, T0 + 24 * H);
    expect(report.deploymentFrequency.deployments).toBe(0);
  });

  it("counts a rolled-back rollout once: the healthy signal of its restore, seen before the rollback, is part of it", () => {
    const report = computeDora("prod", [
      { kind: "deployed", at: T0 + 1, app: "web", revision: "r1" },
      { kind: "failed", at: T0 + 2 * H, app: "web" },
      { kind: "healthy", at: T0 + 2 * H + 1000, app: "web" },
      { kind: "rolled-back", at: T0 + 2 * H + 2000, app: "web", revision: "r2" },
    ], T0, T0 + 24 * H);
    expect(report.changeFailureRate).toMatchObject({ failed: 1, deployments: 2 });
    expect(report.timeToRestore).toMatchObject({ incidents: 1, value: 2000, open: 0 });
  });
});
