/**
 * Notifications through a real server: an env repo push deploys web v1, a real SMTP server receives the
 * "deployed" email, a local HTTP receiver verifies the webhook's HMAC and sees the retry after answering 500
 * once; deliveries, /metrics and the CLI show it; a delivery left pending by a stopped server is sent by the next.
 */

import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoraReport } from "../../src/insight/dora";
import { verifySignature } from "../../src/notify/channels/webhook";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { startServer } from "../../src/server/up";
import type { ChannelView, SubscriptionView } from "../../src/server/routes/notifications";
import { openStore, type DeliveryRecord } from "../../src/store";
import { assertBuilt, parseJson, slipway } from "../support/cli";
import { startTestServer, waitUntil, workflowYaml, type TestServer, type WorkingCopy } from "../support/server";
import { application, webDeployment, webService } from "../sync/controller/harness";
import { startHttpReceiver, startMailSink, type HttpReceiver, type MailSink } from "./receivers";

const webApp = application.replace("name: web-dev", "name: web");
const secret = "hook-secret";

describe("notifications from a real deploy", () => {
  let t: TestServer;
  let mail: MailSink;
  let hook: HttpReceiver;
  let prodHook: HttpReceiver;
  let work: WorkingCopy;
  let sha = "";
  let sourceSha = "";

  beforeAll(async () => {
    assertBuilt();
    mail = await startMailSink();
    hook = await startHttpReceiver([500, 200]);
    prodHook = await startHttpReceiver([200]);
    const port = await freeLoopbackPort();
    t = await startTestServer({ delivery: { ingressPorts: { dev: port }, resyncMs: 0, driftCheckMs: 0 }, notifications: { retry: { baseDelayMs: 300 } } });
    await t.createRepo("acme/deploy");
    work = await t.workingCopy("acme/deploy", t.admin.token);
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await Promise.all([mail?.close(), hook?.close(), prodHook?.close()]);
  });

  it("adds channels and subscriptions through the CLI and the API, refusing bad input with nothing stored", async () => {
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token };
    const added = await slipway(["notify", "add-webhook", "ops-hook", hook.url, "--secret", secret, "--on", "deployed,rollback", "--env", "dev", "--json"], t.root, env);
    expect(added.code, added.stderr).toBe(0);
    expect(parseJson<{ channel: ChannelView; subscription: SubscriptionView }>(added)).toMatchObject({ channel: { name: "ops-hook", kind: "webhook", config: { secret: "********" } }, subscription: { events: ["deployed", "rollback"], environment: "dev" } });
    const email = await slipway(["notify", "add-email", "team-mail", "--to", "team@example.test", "--from", "slipway@example.test", "--smtp", `127.0.0.1:${mail.port}`,
      "--on", "deployed", "--subject", "[{{environment}}] {{service}} {{version}} is live", "--json"], t.root, env);
    expect(email.code, email.stderr).toBe(0);
    const prod = await slipway(["notify", "add-webhook", "prod-hook", prodHook.url, "--env", "prod"], t.root, env);
    expect(prod.code, prod.stderr).toBe(0);

    const bad = await t.admin.api<{ error: { code: string; message: string } }>("POST", "/notifications/subscriptions", { channel: "ops-hook", events: ["deployed"], template: { text: "{{process}}" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("template.text: unknown field {{process}}");
    expect((await t.admin.api("POST", "/notifications/subscriptions", { channel: "ops-hook", events: ["deploy"] })).status).toBe(400);
    expect((await t.admin.api("POST", "/notifications/channels", { name: "x", kind: "webhook", config: { url: "nope" } })).status).toBe(400);
    expect((await t.admin.api("POST", "/notifications/channels", { name: "ops-hook", kind: "slack", config: { url: "http://127.0.0.1:9/" } })).status).toBe(409);
    const viewer = await t.createUser("viewer");
    expect((await viewer.api("POST", "/notifications/channels", { name: "y", kind: "slack", config: { url: "http://127.0.0.1:9/" } })).status).toBe(403);
    expect((await t.apiWith(null)("GET", "/notifications/channels")).status).toBe(401);

    const prodSubscription = (await t.admin.api<SubscriptionView[]>("GET", "/notifications/subscriptions")).body.find((sub) => sub.channel === "prod-hook");
    const updated = await t.admin.api<SubscriptionView>("PUT", `/notifications/subscriptions/${prodSubscription?.id}`, { channel: "prod-hook", events: ["deployed", "rollback"], environment: "prod" });
    expect(updated.body).toMatchObject({ channel: "prod-hook", events: ["deployed", "rollback"], environment: "prod", repo: null });
    expect((await t.admin.api("PUT", `/notifications/subscriptions/${prodSubscription?.id}`, { channel: "prod-hook", template: { subject: "{{nope}}" } })).status).toBe(400);
    expect((await t.admin.api("PUT", `/notifications/subscriptions/${prodSubscription?.id}`, { channel: "ops-hook" })).status).toBe(404);
    const reconfigured = await t.admin.api<ChannelView>("PUT", "/notifications/channels/prod-hook", { config: { url: prodHook.url, secret: "rotated" } });
    expect(reconfigured.body.config).toEqual({ url: prodHook.url, secret: "********" });

    const listed = await slipway(["notify", "ls", "--json"], t.root, env);
    const { channels, subscriptions } = parseJson<{ channels: ChannelView[]; subscriptions: SubscriptionView[] }>(listed);
    expect(channels.map((c) => c.name)).toEqual(["ops-hook", "team-mail", "prod-hook"]);
    expect(subscriptions).toHaveLength(3);
  }, 60_000);

  it("emails and signs a webhook for the deploy; the webhook is retried after a 500", async () => {
    // The application commit the promotion names: lead time runs from its commit time.
    sourceSha = await work.commit("feat: the change being shipped", { "README.md": "shop\n" });
    await work.ok("push", "-q", "origin", "HEAD:main");
    sha = await work.commit(`web v1\n\nSlipway-Source-Commit: ${sourceSha}`, {
      "apps/web.yaml": webApp,
      "envs/dev/web/deployment.yaml": webDeployment({ version: "v1", replicas: 1 }),
      "envs/dev/web/service.yaml": webService,
    });
    await work.ok("push", "-q", "origin", "HEAD:main");

    const requests = await waitUntil("the webhook's retry", async () => (hook.requests.length >= 2 ? hook.requests : undefined), 60_000, 100);
    expect(requests.map((r) => r.status)).toEqual([500, 200]);
    for (const request of requests) {
      expect(verifySignature(secret, request.body, request.headers["x-slipway-signature"] as string)).toBe(true);
      expect(request.headers["x-slipway-event"]).toBe("deployed");
    }
    expect(requests[0].body).toBe(requests[1].body);
    const body = JSON.parse(requests[1].body) as { event: string; data: Record<string, string> };
    expect(body).toMatchObject({ event: "deployed", data: { service: "web", app: "web", environment: "dev", version: "v1", repo: "acme/deploy", commit: sourceSha.slice(0, 7), revision: sha.slice(0, 7) } });
    expect(body.data.link).toBe(`${t.url}/apps/web`);

    const message = await waitUntil("the email", async () => mail.messages[0], 30_000, 100);
    expect(message.from).toBe("slipway@example.test");
    expect(message.to).toEqual(["team@example.test"]);
    expect(message.raw).toContain("Subject: [dev] web v1 is live");
    expect(message.raw).toMatch(/Content-Type: text\/plain/);
    expect(message.raw).toMatch(/Content-Type: text\/html/);
    expect(prodHook.requests).toHaveLength(0);

    await t.server.context.notifier.idle();
    const deliveries = (await t.admin.api<DeliveryRecord[]>("GET", "/notifications/deliveries")).body;
    const webhookDelivery = deliveries.find((d) => d.trigger === "deployed" && d.attempts === 2);
    expect(webhookDelivery).toMatchObject({ status: "sent", lastError: null });
    expect(deliveries.filter((d) => d.status === "sent")).toHaveLength(2);
  }, 90_000);

  it("does not announce the same revision twice, and counts it all in /metrics", async () => {
    const synced = await t.admin.api("POST", "/apps/web/sync");
    expect(synced.status).toBe(200);
    await t.server.context.notifier.idle();
    expect(hook.requests).toHaveLength(2);
    expect(mail.messages).toHaveLength(1);

    await t.server.context.metrics.idle();
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('slipway_notifications_total{channel="webhook",outcome="retry"} 1');
    expect(text).toContain('slipway_notifications_total{channel="webhook",outcome="sent"} 1');
    expect(text).toContain('slipway_notifications_total{channel="email",outcome="sent"} 1');
    expect(text).toContain('slipway_deployments_total{environment="dev",result="succeeded"} 1');
    expect(text).toMatch(/slipway_syncs_total\{environment="dev",result="Succeeded"\} [12]/);
    expect(text).toContain("slipway_sync_duration_seconds_bucket");
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const openapi = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/api/v1/notifications/channels", "/api/v1/notifications/subscriptions/{id}", "/api/v1/metrics/dora", "/api/v1/environments/{env}/sleep"]));
    expect(Object.keys(openapi.paths)).not.toContain("/metrics");
  }, 60_000);

  it("reports DORA metrics for the environment through the API and `slipway metrics dora`", async () => {
    const result = await slipway(["metrics", "dora", "--env", "dev", "--since", "1d", "--json"], t.root, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token });
    expect(result.code, result.stderr).toBe(0);
    const report = parseJson<DoraReport>(result);
    expect(report).toMatchObject({ environment: "dev", deploymentFrequency: { deployments: 1, band: "elite" }, leadTime: { samples: 1, band: "elite" }, changeFailureRate: { value: 0, band: "elite" } });
    expect(report.leadTime.value).toBeGreaterThanOrEqual(0);
    expect(report.leadTime.value).toBeLessThan(120_000);
    const text = await slipway(["metrics", "dora", "--env", "dev", "--since", "1d"], t.root, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token });
    expect(text.stdout).toMatch(/deployment frequency\s+1\.0\/day .*elite/);
    expect((await t.admin.api("GET", "/metrics/dora?since=soon")).status).toBe(400);
    expect((await t.apiWith(null)("GET", "/metrics/dora")).status).toBe(401);
  }, 60_000);

  it("tells about a rollback of a broken rollout, and DORA counts it as a failed change", async () => {
    await work.ok("pull", "-q", "--ff-only", "origin", "main").catch(() => undefined);
    const broken = await work.commit("web v2 (broken)", { "envs/dev/web/deployment.yaml": webDeployment({ version: "v2", replicas: 1, broken: true, progressDeadlineSeconds: 3 }) });
    await work.ok("push", "-q", "origin", "HEAD:main");
    const request = await waitUntil("the rollback webhook", async () => hook.requests.find((r) => r.headers["x-slipway-event"] === "rollback"), 60_000, 100);
    expect(verifySignature(secret, request.body, request.headers["x-slipway-signature"] as string)).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ event: "rollback", subject: "Rolled back: web in dev", data: { app: "web", environment: "dev", revision: broken.slice(0, 7) } });
    const report = (await t.admin.api<DoraReport>("GET", "/metrics/dora?env=dev&since=1d")).body;
    expect(report.changeFailureRate).toMatchObject({ failed: 1, deployments: 2, value: 0.5, band: "low" });
    expect(report.deploymentFrequency.deployments).toBe(1);
  }, 90_000);

  it("`slipway notify test` sends a sample through a channel; `notify rm` removes it", async () => {
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token };
    const tested = await slipway(["notify", "test", "prod-hook"], t.root, env);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain("sent a test notification through prod-hook (HTTP 200)");
    expect(JSON.parse(prodHook.requests[0].body)).toMatchObject({ event: "deployed", subject: "[test] Deployed example v0.0.0 to test" });
    const removed = await slipway(["notify", "rm", "prod-hook"], t.root, env);
    expect(removed.code, removed.stderr).toBe(0);
    const listed = parseJson<{ channels: ChannelView[]; subscriptions: SubscriptionView[] }>(await slipway(["notify", "ls", "--json"], t.root, env));
    expect(listed.channels.map((c) => c.name)).toEqual(["ops-hook", "team-mail"]);
    expect(listed.subscriptions).toHaveLength(2);
    const missing = await slipway(["notify", "test", "prod-hook"], t.root, env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no notification channel prod-hook.");
  }, 60_000);

  it("tells about a failed run on the default branch, not about one on a feature branch", async () => {
    const runs = await startHttpReceiver([200]);
    try {
      await t.admin.api("POST", "/notifications/channels", { name: "ci-hook", kind: "webhook", config: { url: runs.url } });
      expect((await t.admin.api("POST", "/notifications/subscriptions", { channel: "ci-hook", events: ["run.failed", "run.succeeded"], repo: "acme/app" })).status).toBe(201);
      await t.admin.api("POST", "/notifications/channels", { name: "ci-slack", kind: "slack", config: { url: `${runs.url}/slack` } });
      expect((await t.admin.api("POST", "/notifications/subscriptions", { channel: "ci-slack", events: ["run.failed"], repo: "acme/app" })).status).toBe(201);
      await t.createRepo("acme/app");
      const app = await t.workingCopy("acme/app", t.admin.token);
      const failing = await app.commit("ci", { ".slipway/workflows/ci.yml": workflowYaml("push", ["echo testing", "exit 3"]) });
      await app.ok("push", "-q", "origin", "HEAD:feature");
      await app.ok("push", "-q", "origin", "HEAD:main");
      await waitUntil("the run.failed webhook and Slack message", async () => (runs.requests.length >= 2 ? true : undefined), 60_000, 100);
      const request = runs.requests.find((r) => r.headers["x-slipway-event"] === "run.failed");
      const slack = JSON.parse(runs.requests.find((r) => r !== request)?.body ?? "{}") as { text: string; blocks: { type: string }[] };
      expect(slack.text).toMatch(new RegExp(`^Run failed: ci #(\\d) on acme/app: ci run \\1 on acme/app main \\(${failing.slice(0, 7)} by admin\\) concluded failure\\. ${t.url}/repos/acme/app/runs/\\d+$`));
      expect(slack.blocks.map((block) => block.type)).toEqual(["header", "section", "context", "actions"]);
      expect(JSON.parse(request?.body ?? "{}")).toMatchObject({ event: "run.failed", data: { repo: "acme/app", branch: "main", conclusion: "failure", commit: failing.slice(0, 7), workflow: "ci" } });
      const completed = await waitUntil("both runs completed", async () => {
        const list = await t.server.context.store.runs.listRuns({ repo: "acme/app", status: "completed" });
        return list.length === 2 ? list : undefined;
      }, 60_000, 100);
      expect(completed.map((run) => run.ref).sort()).toEqual(["refs/heads/feature", "refs/heads/main"]);
      await t.server.context.notifier.idle();
      expect(runs.requests).toHaveLength(2);
      await t.server.context.metrics.idle();
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toContain('slipway_runs_total{conclusion="failure"} 2');
      expect(metrics).toContain('slipway_run_duration_seconds_count{conclusion="failure"} 2');
    } finally {
      await runs.close();
    }
  }, 90_000);
});

describe("a delivery left pending when the server stopped", () => {
  it("is sent by the next server on the same data directory", async () => {
    const receiver = await startHttpReceiver([200]);
    const first = await startTestServer();
    const dataDir = first.dataDir;
    try {
      const channel = (await first.admin.api<ChannelView>("POST", "/notifications/channels", { name: "late", kind: "webhook", config: { url: receiver.url, secret } })).body;
      await first.server.close();
      // As if the server crashed between recording the event and sending it.
      const store = await openStore({ dialect: "sqlite", path: join(dataDir, "slipway.db") });
      // The secret is sealed in the store with <data dir>/secret.key (0600), which the next server reads again.
      const stored = await store.notifications.findChannel(channel.id);
      expect(String((stored?.config as { secret?: string }).secret)).toMatch(/^sealed:v1:/);
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect((await stat(join(dataDir, "secret.key"))).mode & 0o777).toBe(0o600);
      // A channel an earlier version stored in plain text is sealed when the next server starts.
      await store.notifications.createChannel({ name: "legacy", kind: "email", config: { host: "127.0.0.1", from: "a@b.c", to: ["x@y.z"], password: "plain-password" } });
      await store.notifications.enqueue({ channelId: channel.id, dedupeKey: "crash-test", trigger: "deployed", message: { trigger: "deployed", key: "crash-test", subject: "s", text: "t", html: "<p>t</p>", fields: { service: "web" } } });
      await store.close();
      const second = await startServer({ dataDir, port: 0, log: () => undefined });
      try {
        const legacy = await second.context.store.notifications.findChannel("legacy");
        expect(String((legacy?.config as { password?: string }).password)).toMatch(/^sealed:v1:/);
        const request = await waitUntil("the resumed delivery", async () => receiver.requests[0], 20_000, 50);
        expect(verifySignature(secret, request.body, request.headers["x-slipway-signature"] as string)).toBe(true);
        await second.context.notifier.idle();
        expect((await second.context.store.notifications.listDeliveries())[0]).toMatchObject({ dedupeKey: "crash-test", status: "sent", attempts: 1 });
      } finally {
        await second.close();
      }
    } finally {
      await first.stop();
      await receiver.close();
    }
  }, 60_000);
});
