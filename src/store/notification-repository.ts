/** Notification channels, subscriptions and deliveries; a delivery row is written before sending, so a restart resumes what was pending. */

import type { Kysely, Selectable } from "kysely";
import type { Clock } from "../core/clock";
import { SlipwayError } from "../core/errors";
import type { JsonValue } from "../core/json";
import type {
  Database, NotificationChannelsTable, NotificationDeliveriesTable, NotificationDeliveryStatus, NotificationSubscriptionsTable,
} from "./schema";
import { parseJsonText, storeOperation, toJsonText } from "./store-operation";

export interface ChannelRecord {
  id: number;
  name: string;
  kind: string;
  config: JsonValue;
  createdAt: number;
}

export interface NewSubscription {
  channelId: number;
  /** Trigger names, or ["*"] for all. */
  events: string[];
  environment: string | null;
  repo: string | null;
  /** `{ subject?, text? }` with `{{field}}` placeholders; null = the built-in wording. */
  template: JsonValue | null;
}

export interface SubscriptionRecord extends NewSubscription {
  id: number;
  createdAt: number;
}

export interface NewDelivery {
  channelId: number;
  /** Unique: the same key again is not enqueued twice (e.g. one `deployed` per revision and subscription). */
  dedupeKey: string;
  trigger: string;
  message: JsonValue;
}

export interface DeliveryRecord extends NewDelivery {
  id: number;
  status: NotificationDeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  finishedAt: number | null;
}

const toChannel = (row: Selectable<NotificationChannelsTable>): ChannelRecord => ({
  id: Number(row.id), name: row.name, kind: row.kind, config: parseJsonText<JsonValue>(row.config_json, {}), createdAt: Number(row.created_at),
});

const toSubscription = (row: Selectable<NotificationSubscriptionsTable>): SubscriptionRecord => ({
  id: Number(row.id),
  channelId: Number(row.channel_id),
  events: parseJsonText<string[]>(row.events_json, []),
  environment: row.environment,
  repo: row.repo,
  template: parseJsonText<JsonValue | null>(row.template_json, null),
  createdAt: Number(row.created_at),
});

const toDelivery = (row: Selectable<NotificationDeliveriesTable>): DeliveryRecord => ({
  id: Number(row.id),
  channelId: Number(row.channel_id),
  dedupeKey: row.dedupe_key,
  trigger: row.trigger,
  message: parseJsonText<JsonValue>(row.message_json, null),
  status: row.status,
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
  lastError: row.last_error,
  createdAt: Number(row.created_at),
  finishedAt: row.finished_at === null ? null : Number(row.finished_at),
});

export class NotificationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  createChannel(channel: { name: string; kind: string; config: JsonValue }): Promise<ChannelRecord> {
    return storeOperation("createChannel", async () => {
      const row = await this.db
        .insertInto("notification_channels")
        .values({ name: channel.name, kind: channel.kind, config_json: toJsonText(channel.config), created_at: this.clock.now() })
        .onConflict((c) => c.column("name").doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new SlipwayError("CONFLICT", `A notification channel named ${channel.name} already exists.`);
      return toChannel(row);
    });
  }

  listChannels(): Promise<ChannelRecord[]> {
    return storeOperation("listChannels", async () => (await this.db.selectFrom("notification_channels").selectAll().orderBy("id").execute()).map(toChannel));
  }

  /** By numeric id or by name. */
  findChannel(ref: string | number): Promise<ChannelRecord | undefined> {
    return storeOperation("findChannel", async () => {
      const query = this.db.selectFrom("notification_channels").selectAll();
      const row = typeof ref === "number" || /^\d+$/.test(ref)
        ? await query.where("id", "=", Number(ref)).executeTakeFirst()
        : await query.where("name", "=", ref).executeTakeFirst();
      return row ? toChannel(row) : undefined;
    });
  }

  /** Replaces the channel's settings; undefined when there is no such channel. */
  updateChannel(id: number, config: JsonValue): Promise<ChannelRecord | undefined> {
    return storeOperation("updateChannel", async () => {
      const row = await this.db.updateTable("notification_channels").set({ config_json: toJsonText(config) }).where("id", "=", id).returningAll().executeTakeFirst();
      return row ? toChannel(row) : undefined;
    });
  }

  /** Removes the channel with its subscriptions and deliveries; false when there was none. */
  deleteChannel(id: number): Promise<boolean> {
    return storeOperation("deleteChannel", async () => {
      await this.db.deleteFrom("notification_subscriptions").where("channel_id", "=", id).execute();
      await this.db.deleteFrom("notification_deliveries").where("channel_id", "=", id).execute();
      const result = await this.db.deleteFrom("notification_channels").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  createSubscription(subscription: NewSubscription): Promise<SubscriptionRecord> {
    return storeOperation("createSubscription", async () => {
      const row = await this.db
        .insertInto("notification_subscriptions")
        .values({
          channel_id: subscription.channelId, events_json: toJsonText(subscription.events), environment: subscription.environment, repo: subscription.repo,
          template_json: subscription.template === null ? null : toJsonText(subscription.template), created_at: this.clock.now(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toSubscription(row);
    });
  }

  listSubscriptions(channelId?: number): Promise<SubscriptionRecord[]> {
    return storeOperation("listSubscriptions", async () => {
      let query = this.db.selectFrom("notification_subscriptions").selectAll();
      if (channelId !== undefined) query = query.where("channel_id", "=", channelId);
      return (await query.orderBy("id").execute()).map(toSubscription);
    });
  }

  /** Replaces what the subscription matches and its template; undefined when there is no such subscription. */
  updateSubscription(id: number, subscription: Omit<NewSubscription, "channelId">): Promise<SubscriptionRecord | undefined> {
    return storeOperation("updateSubscription", async () => {
      const row = await this.db.updateTable("notification_subscriptions").set({
        events_json: toJsonText(subscription.events), environment: subscription.environment, repo: subscription.repo,
        template_json: subscription.template === null ? null : toJsonText(subscription.template),
      }).where("id", "=", id).returningAll().executeTakeFirst();
      return row ? toSubscription(row) : undefined;
    });
  }

  deleteSubscription(id: number): Promise<boolean> {
    return storeOperation("deleteSubscription", async () => {
      const result = await this.db.deleteFrom("notification_subscriptions").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Enqueues a pending delivery due now; `created` false when its dedupe key was seen before. */
  enqueue(delivery: NewDelivery): Promise<{ delivery: DeliveryRecord; created: boolean }> {
    return storeOperation("enqueueDelivery", async () => {
      const now = this.clock.now();
      const row = await this.db
        .insertInto("notification_deliveries")
        .values({
          channel_id: delivery.channelId, dedupe_key: delivery.dedupeKey, trigger: delivery.trigger, message_json: toJsonText(delivery.message),
          status: "pending", attempts: 0, next_attempt_at: now, last_error: null, created_at: now, finished_at: null,
        })
        .onConflict((c) => c.column("dedupe_key").doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { delivery: toDelivery(row), created: true };
      const existing = await this.db.selectFrom("notification_deliveries").selectAll().where("dedupe_key", "=", delivery.dedupeKey).executeTakeFirstOrThrow();
      return { delivery: toDelivery(existing), created: false };
    });
  }

  /** Pending deliveries whose next attempt is due at `now`, oldest first. */
  due(now: number, limit = 50): Promise<DeliveryRecord[]> {
    return storeOperation("dueDeliveries", async () => {
      const rows = await this.db.selectFrom("notification_deliveries").selectAll()
        .where("status", "=", "pending").where("next_attempt_at", "<=", now).orderBy("id").limit(limit).execute();
      return rows.map(toDelivery);
    });
  }

  /** When the next pending delivery is due; undefined when none is pending. */
  nextDueAt(): Promise<number | undefined> {
    return storeOperation("nextDueDelivery", async () => {
      const row = await this.db.selectFrom("notification_deliveries").select((eb) => eb.fn.min("next_attempt_at").as("next")).where("status", "=", "pending").executeTakeFirst();
      return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
    });
  }

  /** Records one attempt: sent, failed for good, or pending again at `retryAt`. */
  recordAttempt(id: number, outcome: { status: NotificationDeliveryStatus; attempts: number; error?: string; retryAt?: number }): Promise<void> {
    return storeOperation("recordDeliveryAttempt", async () => {
      const now = this.clock.now();
      await this.db.updateTable("notification_deliveries").set({
        status: outcome.status,
        attempts: outcome.attempts,
        last_error: outcome.error ?? null,
        next_attempt_at: outcome.retryAt ?? now,
        finished_at: outcome.status === "pending" ? null : now,
      }).where("id", "=", id).execute();
    });
  }

  /** Newest first. */
  listDeliveries(query: { channelId?: number; limit?: number } = {}): Promise<DeliveryRecord[]> {
    return storeOperation("listDeliveries", async () => {
      let select = this.db.selectFrom("notification_deliveries").selectAll();
      if (query.channelId !== undefined) select = select.where("channel_id", "=", query.channelId);
      return (await select.orderBy("id", "desc").limit(query.limit ?? 100).execute()).map(toDelivery);
    });
  }
}
