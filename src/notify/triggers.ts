/** What can notify: the trigger names users subscribe to, the fields a message carries, and the server events they come from (one place). */

/** Trigger names as users write them in subscriptions. */
export const triggerNames = ["run.failed", "run.succeeded", "deployed", "sync.failed", "health.degraded", "rollback", "approval.requested"] as const;

export type TriggerName = (typeof triggerNames)[number];

export function isTriggerName(value: string): value is TriggerName {
  return (triggerNames as readonly string[]).includes(value);
}

/**
 * The server events (src/server/services/server-events.ts) the notifier consumes, by trigger. Several
 * names may feed one trigger: `sync.succeeded` is a deploy (the controller syncs to Healthy), and the
 * controller's `app.deployed` event, when it arrives, is the same fact with richer fields; deliveries
 * are deduplicated per (app, revision), so whichever comes first notifies once.
 */
export const consumedServerEvents: Record<TriggerName, readonly string[]> = {
  "run.failed": ["run.completed"],
  "run.succeeded": ["run.completed"],
  deployed: ["app.deployed", "sync.succeeded"],
  "sync.failed": ["sync.failed", "app.deploy-failed"],
  "health.degraded": ["app.health.degraded", "health.degraded"],
  rollback: ["rollback", "app.rolled-back"],
  "approval.requested": ["approval.requested"],
};

/** The fields templates may name; every one is a string (empty when unknown). */
export const messageFields = [
  "trigger", "title", "service", "version", "environment", "commit", "author", "link", "repo", "app", "revision", "run", "workflow",
  "conclusion", "branch", "message", "approver",
] as const;

export type MessageField = (typeof messageFields)[number];

export type MessageFields = Partial<Record<MessageField, string>>;

/** One thing that happened, ready to be matched against subscriptions and rendered. */
export interface NotificationEvent {
  trigger: TriggerName;
  fields: MessageFields;
  /** Unique per fact: the same key is never delivered twice to one subscription (e.g. `deployed:acme/deploy:web:<rev>`). */
  key: string;
}
