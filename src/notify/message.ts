/** The message a delivery sends: subject, text and HTML from the subscription's template (or the built-in wording) over the event's fields. */

import { isJsonObject, type JsonValue } from "../core/json";
import { escapeHtml, renderTemplate } from "./template";
import type { MessageFields, NotificationEvent, TriggerName } from "./triggers";

export interface MessageTemplate {
  subject?: string;
  text?: string;
}

export interface RenderedMessage {
  trigger: TriggerName;
  key: string;
  subject: string;
  text: string;
  html: string;
  fields: MessageFields;
}

const builtIn: Record<TriggerName, Required<MessageTemplate>> = {
  deployed: {
    subject: "Deployed {{service}} {{version}} to {{environment}}",
    text: "{{service}} {{version}} is synced and healthy in {{environment}} (commit {{commit}} by {{author}}). {{link}}",
  },
  "sync.failed": {
    subject: "Sync failed: {{app}} in {{environment}}",
    text: "Syncing {{app}} at {{revision}} in {{environment}} failed: {{message}} {{link}}",
  },
  "health.degraded": {
    subject: "Degraded: {{app}} in {{environment}}",
    text: "{{app}} in {{environment}} is degraded: {{message}} {{link}}",
  },
  rollback: {
    subject: "Rolled back: {{app}} in {{environment}}",
    text: "{{app}} in {{environment}} was rolled back from {{revision}}: {{message}} {{link}}",
  },
  "run.failed": {
    subject: "Run failed: {{workflow}} #{{run}} on {{repo}}",
    text: "{{workflow}} run {{run}} on {{repo}} {{branch}} ({{commit}} by {{author}}) concluded {{conclusion}}. {{link}}",
  },
  "run.succeeded": {
    subject: "Run succeeded: {{workflow}} #{{run}} on {{repo}}",
    text: "{{workflow}} run {{run}} on {{repo}} {{branch}} ({{commit}} by {{author}}) concluded {{conclusion}}. {{link}}",
  },
  "approval.requested": {
    subject: "Approval requested: {{service}} {{version}} to {{environment}}",
    text: "{{author}} asks to deploy {{service}} {{version}} to {{environment}}. Review it: {{link}}",
  },
};

/** A stored template as JSON, or undefined when it is not one. */
export function parseMessageTemplate(value: JsonValue | null): MessageTemplate | undefined {
  if (!isJsonObject(value)) return undefined;
  const template: MessageTemplate = {};
  if (typeof value.subject === "string") template.subject = value.subject;
  if (typeof value.text === "string") template.text = value.text;
  return template;
}

/** Collapses the spaces an empty field leaves behind. */
function tidy(text: string): string {
  return text.replace(/[ \t]{2,}/g, " ").replace(/\(\s*\)/g, "").trim();
}

export function renderMessage(event: NotificationEvent, template: MessageTemplate = {}): RenderedMessage {
  const wording = builtIn[event.trigger];
  const subjectTemplate = template.subject ?? wording.subject;
  const textTemplate = template.text ?? wording.text;
  const fields: MessageFields = { trigger: event.trigger, ...event.fields };
  const subject = tidy(renderTemplate(subjectTemplate, fields));
  fields.title = fields.title ?? subject;
  const text = tidy(renderTemplate(textTemplate, fields));
  const html = `<h2>${escapeHtml(subject)}</h2>\n<p>${tidy(renderTemplate(textTemplate, fields, escapeHtml))}</p>${fields.link ? `\n<p><a href="${escapeHtml(fields.link)}">${escapeHtml(fields.link)}</a></p>` : ""}`;
  return { trigger: event.trigger, key: event.key, subject, text, html, fields };
}

export function parseRenderedMessage(value: JsonValue): RenderedMessage | undefined {
  if (!isJsonObject(value) || typeof value.subject !== "string" || typeof value.text !== "string" || typeof value.html !== "string") return undefined;
  if (typeof value.trigger !== "string" || typeof value.key !== "string" || !isJsonObject(value.fields)) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(value.fields)) if (typeof field === "string") fields[name] = field;
  return { trigger: value.trigger as TriggerName, key: value.key, subject: value.subject, text: value.text, html: value.html, fields };
}
