/** `slipway notify add-webhook|add-slack|add-email|ls|rm|test`: notification channels and what they are told, on the server (SLIPWAY_URL). */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { SendResult } from "../../notify/channels";
import { triggerNames } from "../../notify/triggers";
import type { ChannelView, SubscriptionView } from "../../server/routes/notifications";
import { requireServer, type ApiClient } from "../api-client";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";

type SubscribeFlags = { on?: string; env?: string; repo?: string; subject?: string; text?: string; subscribe?: boolean; json?: boolean };
type WebhookFlags = SubscribeFlags & { secret?: string };
type EmailFlags = SubscribeFlags & { to: string; from: string; smtp: string; user?: string; password?: string; secure?: boolean };

function smtpAddress(text: string): { host: string; port: number } {
  const match = /^([^:]+)(?::(\d+))?$/.exec(text);
  const port = match?.[2] ? Number(match[2]) : 587;
  if (!match || port < 1 || port > 65535) throw new SlipwayError("USAGE", `--smtp expects HOST or HOST:PORT, not '${text}'.`);
  return { host: match[1], port };
}

/** Creates the channel and, unless --no-subscribe, a subscription for it. */
async function addChannel(name: string, kind: string, config: JsonObject, flags: SubscribeFlags): Promise<number> {
  const server = requireServer();
  const channel = await server.request<ChannelView>("POST", "/notifications/channels", { name, kind, config });
  const subscription = flags.subscribe === false ? undefined : await subscribe(server, name, flags);
  if (flags.json) printJson({ channel, subscription });
  else {
    process.stdout.write(`added ${kind} channel ${channel.name}\n`);
    if (subscription) process.stdout.write(`  told about: ${describeSubscription(subscription)}\n`);
  }
  return 0;
}

async function subscribe(server: ApiClient, channel: string, flags: SubscribeFlags): Promise<SubscriptionView> {
  const events = flags.on ? flags.on.split(",").map((s) => s.trim()).filter(Boolean) : ["*"];
  const template = flags.subject !== undefined || flags.text !== undefined ? { ...(flags.subject !== undefined ? { subject: flags.subject } : {}), ...(flags.text !== undefined ? { text: flags.text } : {}) } : null;
  return server.request<SubscriptionView>("POST", "/notifications/subscriptions", { channel, events, environment: flags.env ?? null, repo: flags.repo ?? null, template });
}

function describeSubscription(s: SubscriptionView): string {
  const scope = [s.environment ? `env ${s.environment}` : "", s.repo ? `repo ${s.repo}` : ""].filter(Boolean).join(", ");
  return `#${s.id} ${s.events.join(",")}${scope ? ` (${scope})` : ""}${s.template ? " with a template" : ""}`;
}

async function list(flags: { json?: boolean }): Promise<number> {
  const server = requireServer();
  const channels = await server.request<ChannelView[]>("GET", "/notifications/channels");
  const subscriptions = await server.request<SubscriptionView[]>("GET", "/notifications/subscriptions");
  if (flags.json) {
    printJson({ channels, subscriptions });
    return 0;
  }
  if (channels.length === 0) {
    process.stdout.write("No notification channels: `slipway notify add-webhook|add-slack|add-email NAME …` adds one.\n");
    return 0;
  }
  const rows = channels.map((channel) => {
    const config = channel.config as JsonObject;
    const target = channel.kind === "email" ? `${(config.to as string[] | undefined)?.join(", ") ?? ""} via ${String(config.host)}:${String(config.port)}` : String(config.url ?? "");
    const subs = subscriptions.filter((s) => s.channelId === channel.id).map(describeSubscription).join("; ");
    return [channel.name, channel.kind, target, subs || "-"];
  });
  process.stdout.write(`${renderTable(["CHANNEL", "KIND", "TARGET", "SUBSCRIPTIONS"], rows)}\n`);
  return 0;
}

async function remove(name: string, flags: { subscription?: boolean; json?: boolean }): Promise<number> {
  const server = requireServer();
  if (flags.subscription) await server.request("DELETE", `/notifications/subscriptions/${encodeURIComponent(name)}`);
  else await server.request("DELETE", `/notifications/channels/${encodeURIComponent(name)}`);
  if (flags.json) printJson({ removed: name });
  else process.stdout.write(`removed ${flags.subscription ? `subscription #${name}` : `channel ${name}`}\n`);
  return 0;
}

async function test(name: string, flags: { json?: boolean }): Promise<number> {
  const result = await requireServer().request<{ channel: string; result: SendResult }>("POST", `/notifications/channels/${encodeURIComponent(name)}/test`);
  if (flags.json) printJson(result);
  else process.stdout.write(result.result.ok ? `sent a test notification through ${name}${result.result.detail ? ` (${result.result.detail})` : ""}\n` : `sending through ${name} failed: ${result.result.error}\n`);
  return result.result.ok ? 0 : 1;
}

function subscriptionOptions(command: Command): Command {
  return command
    .option("--on <triggers>", `what to send (comma-separated; default all): ${triggerNames.join(", ")}`)
    .option("--env <env>", "only events of this environment")
    .option("--repo <owner/name>", "only events of this repository")
    .option("--subject <template>", "subject template, e.g. 'Deployed {{service}} {{version}}'")
    .option("--text <template>", "text template; fields: service, version, environment, commit, author, link, …")
    .option("--no-subscribe", "only add the channel")
    .option("--json", "print the channel and subscription as JSON");
}

export function registerNotifyCommand(program: Command): void {
  const notify = program.command("notify").description("notification channels (webhook, Slack, email) and their subscriptions on the server");
  subscriptionOptions(notify.command("add-webhook").description("POST each event as JSON, signed X-Slipway-Signature: sha256=<HMAC>")
    .argument("<name>", "the channel name").argument("<url>", "the receiver's URL").option("--secret <secret>", "HMAC-SHA256 key for the signature"))
    .action(action((name: string, url: string, flags: WebhookFlags) => addChannel(name, "webhook", { url, ...(flags.secret ? { secret: flags.secret } : {}) }, flags)));
  subscriptionOptions(notify.command("add-slack").description("post to a Slack incoming webhook (text and blocks)")
    .argument("<name>", "the channel name").argument("<url>", "the incoming-webhook URL"))
    .action(action((name: string, url: string, flags: SubscribeFlags) => addChannel(name, "slack", { url }, flags)));
  subscriptionOptions(notify.command("add-email").description("send email over SMTP (HTML and text)")
    .argument("<name>", "the channel name")
    .requiredOption("--to <addresses>", "recipients, comma-separated")
    .requiredOption("--from <address>", "the sender")
    .requiredOption("--smtp <host:port>", "the SMTP server")
    .option("--user <user>", "SMTP user").option("--password <password>", "SMTP password").option("--secure", "TLS from the first byte (port 465)"))
    .action(action((name: string, flags: EmailFlags) => addChannel(name, "email", {
      ...smtpAddress(flags.smtp), to: flags.to, from: flags.from, secure: flags.secure === true,
      ...(flags.user ? { user: flags.user } : {}), ...(flags.password ? { password: flags.password } : {}),
    }, flags)));
  notify.command("ls").description("list channels and subscriptions").option("--json", "print them as JSON").action(action(list));
  notify.command("rm").description("remove a channel (with its subscriptions), or a subscription with --subscription")
    .argument("<name>", "the channel name, or the subscription id with --subscription")
    .option("--subscription", "remove the subscription with this id")
    .option("--json", "print the result as JSON")
    .action(action(remove));
  notify.command("test").description("send a sample notification through a channel now").argument("<name>", "the channel name").option("--json", "print the result as JSON").action(action(test));
}
