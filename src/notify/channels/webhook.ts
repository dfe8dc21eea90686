/** Generic webhook: the event as JSON, signed `X-Slipway-Signature: sha256=<hex HMAC-SHA256 of the body>` with the channel's secret. */

import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookConfig } from "../channel-config";
import type { RenderedMessage } from "../message";
import { postJson, type SendResult } from "./send-result";

export const signatureHeader = "x-slipway-signature";

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** For receivers (and tests): whether `header` is the body's signature under `secret`, compared in constant time. */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The JSON body: the trigger, every field, and the rendered wording. */
export function webhookBody(message: RenderedMessage, deliveryId: number): string {
  return JSON.stringify({ event: message.trigger, id: message.key, delivery: deliveryId, subject: message.subject, text: message.text, data: message.fields });
}

export function sendWebhook(config: WebhookConfig, message: RenderedMessage, deliveryId: number): Promise<SendResult> {
  const body = webhookBody(message, deliveryId);
  const headers: Record<string, string> = { "x-slipway-event": message.trigger, "x-slipway-delivery": String(deliveryId) };
  if (config.secret) headers[signatureHeader] = signBody(config.secret, body);
  return postJson(config.url, body, headers);
}
