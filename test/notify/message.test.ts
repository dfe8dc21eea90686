/** Templates, rendered messages, Slack payloads, webhook signatures and the retry backoff: pure parts of notifications. */

import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../src/core/errors";
import { channelConfigForStore, channelConfigFromStore, hasUnsealedSecret, parseChannelConfig, redactedConfig } from "../../src/notify/channel-config";
import { SecretBox } from "../../src/core/secret-box";
import { signBody, verifySignature } from "../../src/notify/channels/webhook";
import { slackPayload } from "../../src/notify/channels/slack";
import { backoffDelay, defaultRetryPolicy } from "../../src/notify/delivery-worker";
import { translateEvent, type TranslationLookups } from "../../src/notify/event-translation";
import { parseRenderedMessage, renderMessage } from "../../src/notify/message";
import { subscriptionMatches } from "../../src/notify/subscription-match";
import { checkTemplate, renderTemplate } from "../../src/notify/template";

const deployed = { trigger: "deployed" as const, key: "deployed:acme/deploy:web:abc", fields: { service: "web", version: "v1.2.0", environment: "prod", commit: "1a2b3c4", author: "mona", link: "http://slipway/apps/web", app: "web", repo: "acme/deploy" } };

describe("{{field}} templates", () => {
  it("substitutes known fields, leaves no code path: unknown placeholders and stray braces are rejected", () => {
    expect(renderTemplate("{{service}} {{ version }} → {{environment}}", deployed.fields)).toBe("web v1.2.0 → prod");
    expect(() => checkTemplate("{{constructor}}", "template.text")).toThrow(/template.text: unknown field \{\{constructor\}\}/);
    expect(() => checkTemplate("{{service.toString()}}", "template.subject")).toThrow(SlipwayError);
    expect(() => checkTemplate("deploy {{ service", "template.text")).toThrow(/not a \{\{field\}\} placeholder/);
    expect(() => checkTemplate("{{service}} {{version}} by {{author}}", "t")).not.toThrow();
  });

  it("renders built-in and custom wording, escaping field values in HTML only", () => {
    const message = renderMessage({ ...deployed, fields: { ...deployed.fields, author: "<script>x</script>" } });
    expect(message.subject).toBe("Deployed web v1.2.0 to prod");
    expect(message.text).toContain("by <script>x</script>");
    expect(message.html).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(message.html).not.toContain("<script>");
    const custom = renderMessage(deployed, { subject: "[{{environment}}] {{service}}@{{version}}" });
    expect(custom.subject).toBe("[prod] web@v1.2.0");
    expect(parseRenderedMessage(JSON.parse(JSON.stringify(custom)))).toEqual(custom);
  });
});

describe("channels", () => {
  it("signs the body with HMAC-SHA256 and verifies it in constant time", () => {
    const body = JSON.stringify({ event: "deployed" });
    const signature = signBody("s3cret", body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature("s3cret", body, signature)).toBe(true);
    expect(verifySignature("other", body, signature)).toBe(false);
    expect(verifySignature("s3cret", `${body} `, signature)).toBe(false);
  });

  it("formats Slack incoming-webhook payloads with text and blocks", () => {
    const payload = slackPayload(renderMessage(deployed));
    expect(payload.text).toContain("Deployed web v1.2.0 to prod");
    expect(payload.blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text", text: "Deployed web v1.2.0 to prod" } });
    expect(JSON.stringify(payload.blocks)).toContain("*environment:* prod");
  });

  it("validates channel settings field by field and redacts secrets", () => {
    expect(() => parseChannelConfig("webhook", { url: "ftp://x" })).toThrow(/channel url: must be http or https/);
    expect(() => parseChannelConfig("email", { host: "h", from: "a@b", to: [] })).toThrow(/channel to:/);
    expect(() => parseChannelConfig("email", { host: "h", from: "nobody", to: ["a@b"] })).toThrow(/channel from: must be an email address/);
    expect(() => parseChannelConfig("pager", {})).toThrow(/not one of webhook, slack, email/);
    expect(parseChannelConfig("email", { host: "h", port: 25, from: "a@b.c", to: "x@y.z, w@y.z" })).toMatchObject({ to: ["x@y.z", "w@y.z"], secure: false });
    expect(redactedConfig("webhook", { url: "http://x", secret: "s" })).toEqual({ url: "http://x", secret: "********" });
    expect(redactedConfig("slack", { url: "https://hooks.slack.com/services/T0/B0/xyz" })).toEqual({ url: "********" });
  });

  it("seals secret settings for the store and opens them again; another key cannot", () => {
    const box = SecretBox.ephemeral();
    const email = parseChannelConfig("email", { host: "smtp.example.com", from: "a@b.c", to: ["x@y.z"], user: "u", password: "hunter2" });
    const stored = channelConfigForStore(email, box);
    expect(stored).toMatchObject({ host: "smtp.example.com", user: "u" });
    expect(String(stored.password)).toMatch(/^sealed:v1:/);
    expect(JSON.stringify(stored)).not.toContain("hunter2");
    expect(channelConfigFromStore({ kind: "email", config: stored }, box)).toEqual(email);
    const slack = channelConfigForStore(parseChannelConfig("slack", { url: "https://hooks.slack.com/services/T0/B0/xyz" }), box);
    expect(JSON.stringify(slack)).not.toContain("hooks.slack.com");
    // A value from before sealing reads as it is, and is reported for re-sealing.
    expect(hasUnsealedSecret({ kind: "webhook", config: { url: "http://x", secret: "plain" } })).toBe(true);
    expect(hasUnsealedSecret({ kind: "email", config: stored })).toBe(false);
    expect(channelConfigFromStore({ kind: "webhook", config: { url: "http://x", secret: "plain" } }, box)).toMatchObject({ secret: "plain" });
    expect(() => channelConfigFromStore({ kind: "email", config: stored }, SecretBox.ephemeral())).toThrow(/sealed with another key/);
    const sealed = String(stored.password);
    const at = sealed.length - 5;
    const tampered = { ...stored, password: `${sealed.slice(0, at)}${sealed[at] === "A" ? "B" : "A"}${sealed.slice(at + 1)}` };
    expect(() => channelConfigFromStore({ kind: "email", config: tampered }, box)).toThrow(/sealed with another key/);
  });

  it("backs off exponentially up to a ceiling", () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe("server events → notifications", () => {
  const lookups: TranslationLookups = {
    environmentOf: () => "dev",
    versionOf: () => "v3",
    link: (path) => `http://slipway${path}`,
    run: async (_repo, runId) => ({ ref: runId === 1 ? "refs/heads/main" : "refs/heads/feature", sha: "f".repeat(40), actor: "mona", workflow: "ci", runNumber: 7, defaultBranch: "main" }),
  };

  it("maps syncs, rollbacks, runs on the default branch only, and approvals", async () => {
    expect(await translateEvent({ type: "sync.succeeded", repo: "acme/deploy", app: "web", revision: "a".repeat(40), result: "Succeeded" }, lookups))
      .toMatchObject({ trigger: "deployed", key: `deployed:acme/deploy:web:${"a".repeat(40)}`, fields: { environment: "dev", version: "v3", service: "web", commit: "aaaaaaa" } });
    expect(await translateEvent({ type: "sync.failed", repo: "acme/deploy", app: "web", revision: "b", result: "RolledBack" }, lookups)).toBeUndefined();
    expect(await translateEvent({ type: "rollback", repo: "acme/deploy", app: "web", failedRevision: "b", restoredRevision: "c".repeat(40) }, lookups))
      .toMatchObject({ trigger: "rollback", fields: { message: "restored ccccccc" } });
    expect(await translateEvent({ type: "run.completed", repo: "acme/app", runId: 1, conclusion: "failure" }, lookups)).toMatchObject({ trigger: "run.failed", fields: { run: "7", branch: "main", author: "mona" } });
    expect(await translateEvent({ type: "run.completed", repo: "acme/app", runId: 2, conclusion: "failure" }, lookups)).toBeUndefined();
    expect(await translateEvent({ type: "run.completed", repo: "acme/app", runId: 1, conclusion: "cancelled" }, lookups)).toBeUndefined();
    expect(await translateEvent({ type: "approval.requested", approvalId: 4, repo: "acme/app", environment: "prod", kind: "promotion", actor: "mona", state: "pending" }, lookups))
      .toMatchObject({ trigger: "approval.requested", key: "approval:4", fields: { environment: "prod", author: "mona", link: "http://slipway/approvals/4" } });
  });

  it("matches subscriptions by trigger, environment and repo", () => {
    expect(subscriptionMatches({ events: ["*"], environment: null, repo: null }, deployed)).toBe(true);
    expect(subscriptionMatches({ events: ["deployed"], environment: "prod", repo: "acme/deploy" }, deployed)).toBe(true);
    expect(subscriptionMatches({ events: ["rollback"], environment: null, repo: null }, deployed)).toBe(false);
    expect(subscriptionMatches({ events: ["*"], environment: "dev", repo: null }, deployed)).toBe(false);
    expect(subscriptionMatches({ events: ["*"], environment: null, repo: "acme/other" }, deployed)).toBe(false);
  });
});
