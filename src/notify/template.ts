/** A small, safe `{{field}}` template: placeholders are looked up in a fixed field set and never evaluated. */

import { SlipwayError } from "../core/errors";
import { messageFields, type MessageFields } from "./triggers";

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Throws REQUEST_INVALID naming the template's field and the offending placeholder; nothing is stored then. */
export function checkTemplate(text: string, where: string): void {
  const known = new Set<string>(messageFields);
  for (const match of text.matchAll(placeholder)) {
    if (!known.has(match[1])) {
      throw new SlipwayError("REQUEST_INVALID", `${where}: unknown field {{${match[1]}}} at offset ${match.index}; known fields: ${messageFields.join(", ")}.`);
    }
  }
  const stray = text.replace(placeholder, "").search(/\{\{|\}\}/);
  if (stray >= 0) throw new SlipwayError("REQUEST_INVALID", `${where}: a "{{" or "}}" that is not a {{field}} placeholder (near "${text.replace(placeholder, "").slice(stray, stray + 20)}").`);
}

/** Substitutes each `{{field}}`; `escape` runs on the values only (HTML email), never on the template's own text. */
export function renderTemplate(text: string, fields: MessageFields, escape: (value: string) => string = (value) => value): string {
  return text.replace(placeholder, (_whole, name: string) => escape((fields as Record<string, string | undefined>)[name] ?? ""));
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}
