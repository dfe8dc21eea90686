/** Sends pending deliveries from the store, retrying with exponential backoff a bounded number of times; resumes what a crash left pending. */

import { systemClock, type Clock } from "../core/clock";
import { describeError } from "../core/errors";
import type { ChannelRecord, DeliveryRecord, Store } from "../store";
import { channelConfigFromStore, type ChannelKind } from "./channel-config";
import type { SecretBox } from "../core/secret-box";
import { sendThrough, type SendResult } from "./channels";
import { parseRenderedMessage } from "./message";

export interface RetryPolicy {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time. Default 2 s. */
  baseDelayMs: number;
  /** Ceiling of the delay. Default 5 minutes. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 300_000 };

/** The wait after `attempts` failed attempts: base · 2^(attempts-1), capped. */
export function backoffDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryWorkerOptions {
  store: Store;
  /** Opens the channels' sealed secrets. */
  secrets: SecretBox;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  log(message: string): void;
  /** Called after every attempt (Prometheus counters). */
  onAttempt?(kind: ChannelKind | "unknown", outcome: "sent" | "retry" | "failed"): void;
}

export class DeliveryWorker {
  private readonly clock: Clock;
  private readonly policy: RetryPolicy;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.policy = { ...defaultRetryPolicy, ...options.retry };
  }

  /** Sends what is due now (soon, in the background) and re-arms the timer for the next retry. */
  kick(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => this.options.log(`notifications: ${describeError(error)}`))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.arm();
      });
  }

  /** Resolves when nothing is being sent right now (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.idle();
  }

  private async arm(): Promise<void> {
    clearTimeout(this.timer);
    if (this.closed) return;
    const next = await this.options.store.notifications.nextDueAt().catch(() => undefined);
    if (next === undefined || this.closed) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, next - this.clock.now()));
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    const channels = new Map<number, ChannelRecord | undefined>();
    for (;;) {
      const due = await this.options.store.notifications.due(this.clock.now());
      if (due.length === 0 || this.closed) return;
      for (const delivery of due) {
        if (!channels.has(delivery.channelId)) channels.set(delivery.channelId, await this.options.store.notifications.findChannel(delivery.channelId));
        await this.attempt(delivery, channels.get(delivery.channelId));
      }
    }
  }

  private async attempt(delivery: DeliveryRecord, channel: ChannelRecord | undefined): Promise<void> {
    const attempts = delivery.attempts + 1;
    let result: SendResult;
    let kind: ChannelKind | "unknown" = "unknown";
    const message = parseRenderedMessage(delivery.message);
    if (!channel) result = { ok: false, retryable: false, error: "the channel was removed" };
    else if (!message) result = { ok: false, retryable: false, error: "the stored message is unreadable" };
    else {
      try {
        const config = channelConfigFromStore(channel, this.options.secrets);
        kind = config.kind;
        result = await sendThrough(config, message, delivery.id);
      } catch (error) {
        result = { ok: false, retryable: false, error: describeError(error) };
      }
    }
    const store = this.options.store.notifications;
    if (result.ok) {
      await store.recordAttempt(delivery.id, { status: "sent", attempts });
      this.options.onAttempt?.(kind, "sent");
    } else if (result.retryable && attempts < this.policy.maxAttempts) {
      await store.recordAttempt(delivery.id, { status: "pending", attempts, error: result.error, retryAt: this.clock.now() + backoffDelay(this.policy, attempts) });
      this.options.onAttempt?.(kind, "retry");
    } else {
      await store.recordAttempt(delivery.id, { status: "failed", attempts, error: result.error });
      this.options.onAttempt?.(kind, "failed");
      this.options.log(`notification ${delivery.trigger} via ${channel?.name ?? `channel ${delivery.channelId}`} failed after ${attempts} attempt(s): ${result.error}`);
    }
  }
}
