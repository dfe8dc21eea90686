/** Which subscriptions an event reaches: its trigger listed (or `*`), and the subscription's environment and repo, when set, equal to the event's. */

import type { SubscriptionRecord } from "../store";
import type { NotificationEvent } from "./triggers";

export function subscriptionMatches(subscription: Pick<SubscriptionRecord, "events" | "environment" | "repo">, event: NotificationEvent): boolean {
  if (!subscription.events.includes("*") && !subscription.events.includes(event.trigger)) return false;
  if (subscription.environment !== null && subscription.environment !== event.fields.environment) return false;
  if (subscription.repo !== null && subscription.repo !== event.fields.repo) return false;
  return true;
}
