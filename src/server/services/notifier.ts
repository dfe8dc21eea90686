/** Notifications in the server: server events → matching subscriptions → durable deliveries sent by the DeliveryWorker. */

import type { Clock } from "../../core/clock";
import { describeError } from "../../core/errors";
import { DeliveryWorker, type RetryPolicy } from "../../notify/delivery-worker";
import { translateEvent, type ServerEventData, type TranslationLookups } from "../../notify/event-translation";
import { parseMessageTemplate, renderMessage } from "../../notify/message";
import { subscriptionMatches } from "../../notify/subscription-match";
import type { NotificationEvent } from "../../notify/triggers";
import { channelConfigFromStore, hasUnsealedSecret, channelConfigForStore, type ChannelKind } from "../../notify/channel-config";
import type { SecretBox } from "../../core/secret-box";
import { sendThrough, type SendResult } from "../../notify/channels";
import type { ChannelRecord, Store } from "../../store";
import type { DeliveryService } from "./delivery";
import type { ServerEvents } from "./server-events";

export interface NotifierDeps {
  store: Store;
  events: ServerEvents;
  delivery: DeliveryService;
  publicUrl(): string;
  log(message: string): void;
  /** Seals channel secrets in the store. */
  secrets: SecretBox;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  onAttempt?(kind: ChannelKind | "unknown", outcome: "sent" | "retry" | "failed"): void;
}

export class Notifier {
  readonly worker: DeliveryWorker;
  private unsubscribe: (() => void) | undefined;
  /** Event handling in flight, awaited by idle() and close(). */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: NotifierDeps) {
    this.worker = new DeliveryWorker({ store: deps.store, secrets: deps.secrets, clock: deps.clock, retry: deps.retry, log: deps.log, onAttempt: deps.onAttempt });
  }

  /** Seals the secrets of channels stored before secrets were sealed; returns how many channels it rewrote. */
  async sealStoredSecrets(): Promise<number> {
    let sealed = 0;
    for (const channel of await this.deps.store.notifications.listChannels()) {
      if (!hasUnsealedSecret(channel)) continue;
      try {
        await this.deps.store.notifications.updateChannel(channel.id, channelConfigForStore(channelConfigFromStore(channel, this.deps.secrets), this.deps.secrets));
        sealed += 1;
      } catch (error) {
        // A channel whose settings no longer parse keeps them as they are: its deliveries fail with the reason.
        this.deps.log(`notifications: channel ${channel.name}: its secrets were not sealed: ${describeError(error)}`);
      }
    }
    return sealed;
  }

  /** Subscribes to server events and resumes deliveries left pending by the previous server. */
  start(): void {
    this.unsubscribe = this.deps.events.subscribe((event) => {
      const work = this.handle(event as unknown as ServerEventData).catch((error: unknown) => this.deps.log(`notifications: ${event.type}: ${describeError(error)}`));
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
    this.worker.kick();
  }

  /** Resolves once every event seen so far is enqueued and nothing is being sent (tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.worker.idle();
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.pending]);
    await this.worker.close();
  }

  /** Enqueues one delivery per matching subscription (deduplicated by the event's key) and wakes the worker. */
  async notify(event: NotificationEvent): Promise<number> {
    let created = 0;
    for (const subscription of await this.deps.store.notifications.listSubscriptions()) {
      if (!subscriptionMatches(subscription, event)) continue;
      const message = renderMessage(event, parseMessageTemplate(subscription.template));
      const result = await this.deps.store.notifications.enqueue({
        channelId: subscription.channelId,
        dedupeKey: `${event.key}#${subscription.id}`,
        trigger: event.trigger,
        message: { ...message, fields: { ...message.fields } },
      });
      if (result.created) created += 1;
    }
    if (created > 0) this.worker.kick();
    return created;
  }

  /** Sends a sample `deployed` message through the channel now, without queueing or retries. */
  async test(channel: ChannelRecord): Promise<SendResult> {
    const config = channelConfigFromStore(channel, this.deps.secrets);
    const message = renderMessage({
      trigger: "deployed",
      key: `test:${Date.now()}`,
      fields: { service: "example", version: "v0.0.0", environment: "test", commit: "0000000", author: "slipway", app: "example", link: this.deps.publicUrl(), message: "a test notification" },
    });
    return sendThrough(config, { ...message, subject: `[test] ${message.subject}` }, 0);
  }

  private async handle(event: ServerEventData): Promise<void> {
    const translated = await translateEvent(event, this.lookups());
    if (translated) await this.notify(translated);
  }

  private lookups(): TranslationLookups {
    const { delivery, store } = this.deps;
    const app = (name: string, repo: string) => {
      try {
        return delivery.find(name, repo || undefined);
      } catch {
        return undefined;
      }
    };
    return {
      environmentOf: (name, repo) => app(name, repo)?.app.namespace,
      versionOf: (name, repo) => {
        const found = app(name, repo);
        const image = found ? delivery.replicas(found).find((replica) => replica.ready)?.image : undefined;
        const tag = image?.slice(image.lastIndexOf(":") + 1);
        return tag && !tag.includes("/") ? tag : undefined;
      },
      run: async (repo, runId) => {
        const run = await store.runs.getRun(runId).catch(() => undefined);
        const [owner, name] = repo.split("/");
        const record = owner && name ? await store.repos.findRepo(owner, name) : undefined;
        if (!run || !record) return undefined;
        return { ref: run.ref, sha: run.sha, actor: run.actor, workflow: run.workflowName, runNumber: run.runNumber, defaultBranch: record.defaultBranch };
      },
      link: (path) => `${this.deps.publicUrl()}${path}`,
    };
  }
}
