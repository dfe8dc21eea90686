/** Sends a rendered message through a channel of any kind. */

import type { ChannelConfig } from "../channel-config";
import type { RenderedMessage } from "../message";
import { sendEmail } from "./email";
import type { SendResult } from "./send-result";
import { sendSlack } from "./slack";
import { sendWebhook } from "./webhook";

export type { SendResult } from "./send-result";

export function sendThrough(config: ChannelConfig, message: RenderedMessage, deliveryId: number): Promise<SendResult> {
  switch (config.kind) {
    case "webhook":
      return sendWebhook(config, message, deliveryId);
    case "slack":
      return sendSlack(config, message);
    case "email":
      return sendEmail(config, message);
  }
}
