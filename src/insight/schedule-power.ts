/** Whether an environment should sleep now (its uptime window, or a manual sleep/wake override until a time) and the replica-hours its sleeps saved. Pure. */

import { isUptime, nextChange, parseUptime } from "./schedule-window";

export type PowerState = "asleep" | "awake";

export interface PowerSettings {
  uptime: string | null;
  override: { state: PowerState; until: number | null } | null;
}

export interface PowerDecision {
  state: PowerState;
  reason: "schedule" | "override" | "no schedule";
  /** When the decision next changes by itself (the override ends or the window turns); undefined: not by itself. */
  until?: number;
}

export function decidePower(settings: PowerSettings, now: number): PowerDecision {
  const schedule = settings.uptime ? parseUptime(settings.uptime) : undefined;
  const override = settings.override;
  if (override && (override.until === null || override.until > now)) {
    return { state: override.state, reason: "override", until: override.until ?? undefined };
  }
  if (!schedule) return { state: "awake", reason: "no schedule" };
  return { state: isUptime(schedule, now) ? "awake" : "asleep", reason: "schedule", until: nextChange(schedule, now) };
}

/**
 * Where a `sleep`/`wake` without `--for` ends: sleep lasts until the next uptime begins, wake until the
 * next downtime begins; with no schedule (or always/never) it lasts until changed by hand.
 */
export function overrideEnd(uptime: string | null, state: PowerState, now: number, forMs?: number): number | null {
  if (forMs !== undefined) return now + forMs;
  if (!uptime) return null;
  const schedule = parseUptime(uptime);
  let at = now;
  for (let step = 0; step < 3; step += 1) {
    const next = nextChange(schedule, at);
    if (next === undefined) return null;
    if (isUptime(schedule, next) === (state === "asleep")) return next;
    at = next;
  }
  return null;
}

export interface SleepPeriod {
  replicas: Record<string, number>;
  startedAt: number;
  endedAt: number | null;
}

/** Σ replicas × hours asleep within [since, until]; an open sleep counts up to `until`. */
export function replicaHoursSaved(sleeps: SleepPeriod[], since: number, until: number): number {
  let total = 0;
  for (const sleep of sleeps) {
    const start = Math.max(sleep.startedAt, since);
    const end = Math.min(sleep.endedAt ?? until, until);
    if (end <= start) continue;
    const replicas = Object.values(sleep.replicas).reduce((sum, count) => sum + count, 0);
    total += (replicas * (end - start)) / 3_600_000;
  }
  return Math.round(total * 100) / 100;
}
