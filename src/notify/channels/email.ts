/** Email over SMTP with nodemailer: the subject, a text part and an HTML part; SMTP 4xx and network errors are retried, 5xx is final. */

import nodemailer from "nodemailer";
import type { EmailConfig } from "../channel-config";
import type { RenderedMessage } from "../message";
import type { SendResult } from "./send-result";

function responseCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("responseCode" in error)) return undefined;
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === "number" ? code : undefined;
}

export async function sendEmail(config: EmailConfig, message: RenderedMessage): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user ? { user: config.user, pass: config.password ?? "" } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    const info = await transport.sendMail({
      from: config.from,
      to: config.to,
      subject: message.subject,
      text: `${message.text}\n`,
      html: message.html,
      headers: { "X-Slipway-Event": message.trigger },
    });
    return { ok: true, detail: info.messageId };
  } catch (error) {
    const code = responseCode(error);
    return { ok: false, retryable: code === undefined || code < 500, error: error instanceof Error ? error.message : String(error) };
  } finally {
    transport.close();
  }
}
