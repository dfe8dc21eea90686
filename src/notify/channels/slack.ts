/** Slack incoming-webhook format: `text` as the fallback and Block Kit blocks (header, section, context with the fields). */

import type { SlackConfig } from "../channel-config";
import type { RenderedMessage } from "../message";
import { postJson, type SendResult } from "./send-result";

/** Slack's mrkdwn needs &, < and > escaped in user text. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface SlackPayload {
  text: string;
  blocks: unknown[];
}

export function slackPayload(message: RenderedMessage): SlackPayload {
  const facts = (["service", "version", "environment", "commit", "author"] as const)
    .filter((name) => message.fields[name])
    .map((name) => ({ type: "mrkdwn", text: `*${name}:* ${mrkdwn(message.fields[name] ?? "")}` }));
  const link = message.fields.link;
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: message.subject.slice(0, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: mrkdwn(message.text) } },
  ];
  if (facts.length > 0) blocks.push({ type: "context", elements: facts.slice(0, 10) });
  if (link) blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in slipway" }, url: link }] });
  return { text: `${message.subject}: ${message.text}`, blocks };
}

export function sendSlack(config: SlackConfig, message: RenderedMessage): Promise<SendResult> {
  return postJson(config.url, JSON.stringify(slackPayload(message)), {});
}
