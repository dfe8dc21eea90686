/** /api/v1/notifications: channels (webhook, slack, email) and subscriptions (per environment and repo) — create, read, update, delete, a test send, recent deliveries. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { JsonValue } from "../../core/json";
import { channelConfigForStore, parseChannelConfig, redactedConfig } from "../../notify/channel-config";
import { checkTemplate } from "../../notify/template";
import { isTriggerName, triggerNames } from "../../notify/triggers";
import type { ChannelRecord, DeliveryRecord, NewSubscription, SubscriptionRecord } from "../../store";
import { requireAdmin, requireUser } from "../access";
import type { ServerContext } from "../server-context";

type IdParams = { id: string };
type ChannelBody = { name: string; kind: string; config: JsonValue };
type SubscriptionBody = { channel: string | number; events?: string[]; environment?: string | null; repo?: string | null; template?: { subject?: string; text?: string } | null };

const idParams = { type: "object", properties: { id: { type: "string", minLength: 1 } } } as const;
const channelBody = {
  type: "object",
  required: ["name", "kind", "config"],
  additionalProperties: false,
  properties: { name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$" }, kind: { type: "string" }, config: { type: "object" } },
} as const;
const subscriptionBody = {
  type: "object",
  required: ["channel"],
  additionalProperties: false,
  properties: {
    channel: { anyOf: [{ type: "string", minLength: 1 }, { type: "integer" }] },
    events: { type: "array", items: { type: "string" }, minItems: 1 },
    environment: { type: ["string", "null"], minLength: 1 },
    repo: { type: ["string", "null"], pattern: "^[^/\\s]+/[^/\\s]+$" },
    template: { type: ["object", "null"], additionalProperties: false, properties: { subject: { type: "string" }, text: { type: "string" } } },
  },
} as const;

export interface ChannelView extends Omit<ChannelRecord, "config"> {
  config: JsonValue;
}

export type SubscriptionView = SubscriptionRecord & { channel: string };

const channelView = (channel: ChannelRecord): ChannelView => ({ ...channel, config: redactedConfig(channel.kind, channel.config) });

/** Checks triggers and templates; throws REQUEST_INVALID naming the field, before anything is stored. */
function checkedSubscription(body: SubscriptionBody): Omit<NewSubscription, "channelId"> {
  const events = body.events ?? ["*"];
  for (const event of events) {
    if (event !== "*" && !isTriggerName(event)) throw new SlipwayError("REQUEST_INVALID", `events: "${event}" is not a trigger; use * or one of ${triggerNames.join(", ")}.`);
  }
  if (body.template?.subject !== undefined) checkTemplate(body.template.subject, "template.subject");
  if (body.template?.text !== undefined) checkTemplate(body.template.text, "template.text");
  return { events, environment: body.environment ?? null, repo: body.repo ?? null, template: body.template ? { ...body.template } : null };
}

export function notificationRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const notifications = store.notifications;

  const channelOrThrow = async (ref: string | number): Promise<ChannelRecord> => {
    const channel = await notifications.findChannel(ref);
    if (!channel) throw new SlipwayError("NOT_FOUND", `There is no notification channel ${ref}.`, { hint: "`slipway notify ls` lists the channels." });
    return channel;
  };
  const subscriptionViews = async (): Promise<SubscriptionView[]> => {
    const names = new Map((await notifications.listChannels()).map((channel) => [channel.id, channel.name]));
    return (await notifications.listSubscriptions()).map((subscription) => ({ ...subscription, channel: names.get(subscription.channelId) ?? String(subscription.channelId) }));
  };

  return async (app) => {
    app.get("/notifications/channels", async (request) => {
      requireUser(request.user);
      return (await notifications.listChannels()).map(channelView);
    });

    app.post<{ Body: ChannelBody }>("/notifications/channels", { schema: { body: channelBody } }, async (request, reply) => {
      requireAdmin(request.user);
      const config = parseChannelConfig(request.body.kind, request.body.config);
      const channel = await notifications.createChannel({ name: request.body.name, kind: config.kind, config: channelConfigForStore(config, context.secrets) });
      return reply.status(201).send(channelView(channel));
    });

    app.get<{ Params: IdParams }>("/notifications/channels/:id", { schema: { params: idParams } }, async (request) => {
      requireUser(request.user);
      const channel = await channelOrThrow(request.params.id);
      return { ...channelView(channel), subscriptions: (await subscriptionViews()).filter((s) => s.channelId === channel.id), deliveries: await notifications.listDeliveries({ channelId: channel.id, limit: 20 }) };
    });

    app.put<{ Params: IdParams; Body: { config: JsonValue } }>(
      "/notifications/channels/:id",
      { schema: { params: idParams, body: { type: "object", required: ["config"], additionalProperties: false, properties: { config: { type: "object" } } } } },
      async (request) => {
        requireAdmin(request.user);
        const channel = await channelOrThrow(request.params.id);
        const config = parseChannelConfig(channel.kind, request.body.config);
        return channelView((await notifications.updateChannel(channel.id, channelConfigForStore(config, context.secrets))) ?? channel);
      },
    );

    app.delete<{ Params: IdParams }>("/notifications/channels/:id", { schema: { params: idParams } }, async (request, reply) => {
      requireAdmin(request.user);
      const channel = await channelOrThrow(request.params.id);
      await notifications.deleteChannel(channel.id);
      return reply.status(204).send();
    });

    app.post<{ Params: IdParams }>("/notifications/channels/:id/test", { schema: { params: idParams } }, async (request) => {
      requireAdmin(request.user);
      const channel = await channelOrThrow(request.params.id);
      return { channel: channel.name, result: await context.notifier.test(channel) };
    });

    app.get("/notifications/subscriptions", async (request) => {
      requireUser(request.user);
      return subscriptionViews();
    });

    app.post<{ Body: SubscriptionBody }>("/notifications/subscriptions", { schema: { body: subscriptionBody } }, async (request, reply) => {
      requireAdmin(request.user);
      const fields = checkedSubscription(request.body);
      const channel = await channelOrThrow(request.body.channel);
      const subscription = await notifications.createSubscription({ channelId: channel.id, ...fields });
      return reply.status(201).send({ ...subscription, channel: channel.name } satisfies SubscriptionView);
    });

    app.put<{ Params: IdParams; Body: SubscriptionBody }>("/notifications/subscriptions/:id", { schema: { params: idParams, body: subscriptionBody } }, async (request) => {
      requireAdmin(request.user);
      const fields = checkedSubscription(request.body);
      const channel = await channelOrThrow(request.body.channel);
      const existing = (await notifications.listSubscriptions(channel.id)).find((s) => String(s.id) === request.params.id);
      if (!existing) throw new SlipwayError("NOT_FOUND", `Channel ${channel.name} has no subscription ${request.params.id}.`);
      const updated = await notifications.updateSubscription(existing.id, fields);
      return { ...(updated ?? existing), channel: channel.name } satisfies SubscriptionView;
    });

    app.delete<{ Params: IdParams }>("/notifications/subscriptions/:id", { schema: { params: idParams } }, async (request, reply) => {
      requireAdmin(request.user);
      const id = Number(request.params.id);
      if (!Number.isInteger(id) || !(await notifications.deleteSubscription(id))) throw new SlipwayError("NOT_FOUND", `There is no subscription ${request.params.id}.`);
      return reply.status(204).send();
    });

    app.get<{ Querystring: { limit?: number } }>(
      "/notifications/deliveries",
      { schema: { querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 500 } } } } },
      async (request): Promise<DeliveryRecord[]> => {
        requireUser(request.user);
        return notifications.listDeliveries({ limit: request.query.limit ?? 50 });
      },
    );
  };
}
