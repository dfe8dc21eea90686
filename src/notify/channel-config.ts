/** Channel kinds and their settings, parsed from API input or the store: webhook (signed JSON), slack (incoming webhook), email (SMTP). */

import { SlipwayError } from "../core/errors";
import { isJsonObject, type JsonObject, type JsonValue } from "../core/json";
import { SecretBox } from "../core/secret-box";

export type ChannelKind = "webhook" | "slack" | "email";

export interface WebhookConfig {
  kind: "webhook";
  url: string;
  /** HMAC-SHA256 key for X-Slipway-Signature; unsigned when absent. */
  secret?: string;
}

export interface SlackConfig {
  kind: "slack";
  url: string;
}

export interface EmailConfig {
  kind: "email";
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
}

export type ChannelConfig = WebhookConfig | SlackConfig | EmailConfig;

function fail(field: string, message: string): never {
  throw new SlipwayError("REQUEST_INVALID", `channel ${field}: ${message}`);
}

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== "string") fail(field, "must be a URL string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, `"${value}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail(field, `must be http or https, not ${url.protocol}`);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value === "") fail(field, "must be a non-empty string");
  return value;
}

const address = /^[^\s@<>]+@[^\s@<>]+$/;

function emailAddress(value: unknown, field: string): string {
  if (typeof value !== "string" || !address.test(value)) fail(field, `must be an email address, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates a channel's settings; throws REQUEST_INVALID naming the field. */
export function parseChannelConfig(kind: string, input: JsonValue): ChannelConfig {
  if (!isJsonObject(input)) fail("config", "must be an object");
  if (kind === "webhook") return { kind, url: httpUrl(input.url, "url"), secret: optionalString(input.secret, "secret") };
  if (kind === "slack") return { kind, url: httpUrl(input.url, "url") };
  if (kind === "email") {
    const port = input.port ?? 587;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) fail("port", "must be a port number");
    if (typeof input.host !== "string" || input.host === "") fail("host", "must name the SMTP server");
    const to = typeof input.to === "string" ? input.to.split(",").map((s) => s.trim()).filter(Boolean) : input.to;
    if (!Array.isArray(to) || to.length === 0) fail("to", "must list at least one recipient");
    return {
      kind,
      host: input.host,
      port,
      secure: input.secure === true,
      user: optionalString(input.user, "user"),
      password: optionalString(input.password, "password"),
      from: emailAddress(input.from, "from"),
      to: to.map((recipient, index) => emailAddress(recipient, `to[${index}]`)),
    };
  }
  throw new SlipwayError("REQUEST_INVALID", `channel kind "${kind}" is not one of webhook, slack, email`);
}

/** The settings of a kind that are secrets: sealed in the store, masked in the API. A Slack webhook URL is a credential. */
function secretKeys(kind: string): string[] {
  return kind === "slack" ? ["url"] : ["secret", "password"];
}

/** The config as JSON for the store, its secrets sealed. */
export function channelConfigForStore(config: ChannelConfig, box: SecretBox): JsonObject {
  const { kind, ...rest } = config;
  const secrets = secretKeys(kind);
  const json: JsonObject = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) json[key] = secrets.includes(key) && typeof value === "string" ? box.seal(value) : (value as JsonValue);
  }
  return json;
}

/** A stored channel's settings, its secrets opened and the whole checked again. */
export function channelConfigFromStore(channel: { kind: string; config: JsonValue }, box: SecretBox): ChannelConfig {
  const stored = channel.config;
  if (!isJsonObject(stored)) return parseChannelConfig(channel.kind, stored);
  const opened: JsonObject = { ...stored };
  for (const key of secretKeys(channel.kind)) if (typeof opened[key] === "string") opened[key] = box.open(opened[key]);
  return parseChannelConfig(channel.kind, opened);
}

/** Whether a stored config still holds a secret from before sealing (re-sealed at start-up). */
export function hasUnsealedSecret(channel: { kind: string; config: JsonValue }): boolean {
  const stored = channel.config;
  return isJsonObject(stored) && secretKeys(channel.kind).some((key) => typeof stored[key] === "string" && !SecretBox.isSealed(stored[key] as string));
}

/** The config as the API shows it: secrets masked. */
export function redactedConfig(kind: string, config: JsonValue): JsonValue {
  if (!isJsonObject(config)) return config;
  const shown: JsonObject = { ...config };
  for (const key of secretKeys(kind)) if (key in shown) shown[key] = "********";
  return shown;
}
