/** The notification and schedule repositories on both dialects (SQLite file, real Postgres): CRUD, dedupe, due deliveries and retries, overrides and sleep periods. */

import { describe, expect, it } from "vitest";
import type { StoreDialect } from "../../src/store";
import { useStoreUnderTest } from "../store/store-fixtures";

const T0 = Date.UTC(2026, 10, 22);

describe.each<StoreDialect>(["sqlite", "postgres"])("notification and schedule store on %s", (dialect) => {
  const context = useStoreUnderTest(dialect, T0);
  const { clock } = context;

  it("keeps channels unique by name, subscriptions per channel, and removes both together", async () => {
    const channel = await context.store.notifications.createChannel({ name: "ops", kind: "webhook", config: { url: "http://127.0.0.1:1/", secret: "s" } });
    await expect(context.store.notifications.createChannel({ name: "ops", kind: "slack", config: {} })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await context.store.notifications.findChannel("ops")).toEqual(channel);
    expect(await context.store.notifications.findChannel(channel.id)).toEqual(channel);
    const subscription = await context.store.notifications.createSubscription({ channelId: channel.id, events: ["deployed"], environment: "prod", repo: null, template: { subject: "{{service}}" } });
    expect(await context.store.notifications.listSubscriptions(channel.id)).toEqual([subscription]);
    const updated = await context.store.notifications.updateSubscription(subscription.id, { events: ["*"], environment: null, repo: "acme/app", template: null });
    expect(updated).toEqual({ ...subscription, events: ["*"], environment: null, repo: "acme/app", template: null });
    expect(await context.store.notifications.updateSubscription(9999, { events: ["*"], environment: null, repo: null, template: null })).toBeUndefined();
    expect(await context.store.notifications.updateChannel(channel.id, { url: "http://127.0.0.1:2/" })).toEqual({ ...channel, config: { url: "http://127.0.0.1:2/" } });
    expect(await context.store.notifications.deleteSubscription(subscription.id)).toBe(true);
    expect(await context.store.notifications.deleteSubscription(subscription.id)).toBe(false);
    const other = await context.store.notifications.createChannel({ name: "gone", kind: "slack", config: { url: "http://127.0.0.1:1/" } });
    await context.store.notifications.createSubscription({ channelId: other.id, events: ["*"], environment: null, repo: null, template: null });
    await context.store.notifications.enqueue({ channelId: other.id, dedupeKey: "gone-1", trigger: "deployed", message: {} });
    expect(await context.store.notifications.deleteChannel(other.id)).toBe(true);
    expect(await context.store.notifications.listSubscriptions(other.id)).toEqual([]);
    expect(await context.store.notifications.findChannel("gone")).toBeUndefined();
  });

  it("enqueues a delivery once per key, hands out due ones and records attempts", async () => {
    const channel = (await context.store.notifications.findChannel("ops"))!;
    const first = await context.store.notifications.enqueue({ channelId: channel.id, dedupeKey: "deployed:web:abc#1", trigger: "deployed", message: { subject: "hi" } });
    const again = await context.store.notifications.enqueue({ channelId: channel.id, dedupeKey: "deployed:web:abc#1", trigger: "deployed", message: { subject: "other" } });
    expect(first.created).toBe(true);
    expect(again).toEqual({ delivery: first.delivery, created: false });
    expect((await context.store.notifications.due(T0)).map((d) => d.id)).toEqual([first.delivery.id]);
    await context.store.notifications.recordAttempt(first.delivery.id, { status: "pending", attempts: 1, error: "HTTP 500", retryAt: T0 + 2000 });
    expect(await context.store.notifications.due(T0 + 1999)).toEqual([]);
    expect(await context.store.notifications.nextDueAt()).toBe(T0 + 2000);
    clock.set(T0 + 2500);
    await context.store.notifications.recordAttempt(first.delivery.id, { status: "sent", attempts: 2 });
    expect(await context.store.notifications.nextDueAt()).toBeUndefined();
    expect((await context.store.notifications.listDeliveries({ channelId: channel.id }))[0]).toMatchObject({ status: "sent", attempts: 2, lastError: null, finishedAt: T0 + 2500, message: { subject: "hi" } });
  });

  it("saves schedules and overrides, and keeps sleep periods", async () => {
    expect(await context.store.schedules.find("dev")).toBeUndefined();
    await context.store.schedules.save("dev", { uptime: "Mon-Fri 08:00-19:00 Europe/Berlin", exclusions: ["db"] });
    const slept = await context.store.schedules.save("dev", { override: { state: "asleep", until: T0 + 7_200_000 } });
    expect(slept).toMatchObject({ uptime: "Mon-Fri 08:00-19:00 Europe/Berlin", exclusions: ["db"], override: { state: "asleep", until: T0 + 7_200_000 } });
    expect(await context.store.schedules.find("dev")).toEqual(slept);
    const sleep = await context.store.schedules.startSleep("dev", { "web/web": 2 }, "override", T0);
    expect(await context.store.schedules.openSleep("dev")).toEqual(sleep);
    await context.store.schedules.endSleep(sleep.id, T0 + 3_600_000);
    expect(await context.store.schedules.openSleep("dev")).toBeUndefined();
    expect(await context.store.schedules.sleepsSince("dev", T0)).toEqual([{ ...sleep, endedAt: T0 + 3_600_000 }]);
    expect(await context.store.schedules.sleepsSince("dev", T0 + 3_600_001)).toEqual([]);
    expect((await context.store.schedules.list()).map((r) => r.environment)).toEqual(["dev"]);
  });
});
