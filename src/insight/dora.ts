/**
 * DORA's four keys from delivery facts (pure): deployment frequency, lead time for changes, change
 * failure rate, time to restore — each with its band. Bands follow the 2023 Accelerate State of DevOps
 * report's clusters: frequency elite = on demand (daily or more), high ≥ weekly, medium ≥ monthly;
 * lead time elite < 1 day, high < 1 week, medium < 1 month; change failure rate elite ≤ 5 %, high ≤ 10 %,
 * medium ≤ 15 %; failed deployment recovery time elite < 1 hour, high < 1 day, medium < 1 week.
 */

export type DoraBand = "elite" | "high" | "medium" | "low";

/** What happened to one app in one environment, in time order or not (sorted here). */
export type DeliveryFact =
  /** A new revision synced and healthy; `commitAt` = when its change was committed. */
  | { kind: "deployed"; at: number; app: string; revision: string; commitAt?: number }
  /** A new revision failed in production and the previous one was restored (the rollback ends the incident). */
  | { kind: "rolled-back"; at: number; app: string; revision: string }
  /** A new revision reached the runtime and failed with nothing to roll back to (opens an incident). */
  | { kind: "deploy-failed"; at: number; app: string; revision: string }
  /** A failure detected in production: health Degraded. */
  | { kind: "failed"; at: number; app: string }
  /** Healthy again. */
  | { kind: "healthy"; at: number; app: string };

export interface DoraMetric<T> {
  value: T | null;
  band: DoraBand | null;
}

export interface DoraReport {
  environment: string;
  since: string;
  until: string;
  deploymentFrequency: DoraMetric<number> & { deployments: number; perWeek: number | null; days: number };
  leadTime: DoraMetric<number> & { samples: number };
  changeFailureRate: DoraMetric<number> & { failed: number; deployments: number };
  timeToRestore: DoraMetric<number> & { incidents: number; open: number };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function frequencyBand(perDay: number): DoraBand {
  if (perDay >= 1) return "elite";
  if (perDay >= 1 / 7) return "high";
  if (perDay >= 1 / 30) return "medium";
  return "low";
}

export function leadTimeBand(ms: number): DoraBand {
  if (ms < DAY) return "elite";
  if (ms < 7 * DAY) return "high";
  if (ms < 30 * DAY) return "medium";
  return "low";
}

export function failureRateBand(rate: number): DoraBand {
  if (rate <= 0.05) return "elite";
  if (rate <= 0.1) return "high";
  if (rate <= 0.15) return "medium";
  return "low";
}

export function restoreBand(ms: number): DoraBand {
  if (ms < HOUR) return "elite";
  if (ms < DAY) return "high";
  if (ms < 7 * DAY) return "medium";
  return "low";
}

/** Incidents per app: opened by the first failure signal, closed by the next healthy, deployed or rolled-back fact. */
function incidents(facts: DeliveryFact[]): { durations: number[]; open: number } {
  const openedAt = new Map<string, number>();
  const durations: number[] = [];
  for (const fact of facts) {
    const opened = openedAt.get(fact.app);
    if (fact.kind === "failed" || fact.kind === "deploy-failed") {
      if (opened === undefined) openedAt.set(fact.app, fact.at);
    } else if (fact.kind === "rolled-back") {
      // Without an earlier signal the safe rollout kept the old replicas serving: no outage, restored at once.
      durations.push(opened === undefined ? 0 : fact.at - opened);
      openedAt.delete(fact.app);
    } else if (opened !== undefined) {
      durations.push(fact.at - opened);
      openedAt.delete(fact.app);
    }
  }
  return { durations, open: openedAt.size };
}

/** Whether the app's next fact after index `i` is a rollback: the failure seen was that rollout's, not the running deployment's. */
function rolledBackNext(facts: DeliveryFact[], i: number): boolean {
  const next = facts.slice(i + 1).find((fact) => fact.app === facts[i].app);
  return next?.kind === "rolled-back";
}

/** Which deployments failed: rolled back, or followed by a failure before the app's next deployment. */
function failedDeployments(facts: DeliveryFact[]): number {
  const current = new Map<string, { failed: boolean }>();
  let failed = 0;
  for (const [i, fact] of facts.entries()) {
    if (fact.kind === "deployed") current.set(fact.app, { failed: false });
    else if (fact.kind === "rolled-back" || fact.kind === "deploy-failed") {
      failed += 1;
      current.delete(fact.app);
    } else if (fact.kind === "failed" && !rolledBackNext(facts, i)) {
      const deployment = current.get(fact.app);
      if (deployment && !deployment.failed) {
        deployment.failed = true;
        failed += 1;
      }
    }
  }
  return failed;
}

/**
 * A rollback restores the old replicas before it is reported, so "healthy again" lands between the failure and the
 * rollback; the rollback is the restore, and that healthy signal must not count as one of its own.
 */
function withoutRestoreSignals(facts: DeliveryFact[]): DeliveryFact[] {
  return facts.filter((fact, i) => fact.kind !== "healthy" || facts.slice(i + 1).find((next) => next.app === fact.app)?.kind !== "rolled-back");
}

/** The report over [since, until]; facts outside the window are ignored. */
export function computeDora(environment: string, allFacts: DeliveryFact[], since: number, until: number): DoraReport {
  const facts = withoutRestoreSignals(allFacts.filter((fact) => fact.at >= since && fact.at <= until).sort((a, b) => a.at - b.at));
  const days = Math.max((until - since) / DAY, 1 / 24);
  const deployed = facts.filter((fact): fact is Extract<DeliveryFact, { kind: "deployed" }> => fact.kind === "deployed");
  const attempts = deployed.length + facts.filter((fact) => fact.kind === "rolled-back" || fact.kind === "deploy-failed").length;
  const perDay = deployed.length / days;
  const leads = deployed.flatMap((fact) => (fact.commitAt === undefined ? [] : [Math.max(0, fact.at - fact.commitAt)]));
  const leadTime = median(leads);
  const failed = failedDeployments(facts);
  const rate = attempts === 0 ? null : failed / attempts;
  const restore = incidents(facts);
  const restoreTime = median(restore.durations);
  return {
    environment,
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    deploymentFrequency: { value: perDay, band: frequencyBand(perDay), deployments: deployed.length, perWeek: perDay * 7, days },
    leadTime: { value: leadTime, band: leadTime === null ? null : leadTimeBand(leadTime), samples: leads.length },
    changeFailureRate: { value: rate, band: rate === null ? null : failureRateBand(rate), failed, deployments: attempts },
    timeToRestore: { value: restoreTime, band: restoreTime === null ? null : restoreBand(restoreTime), incidents: restore.durations.length, open: restore.open },
  };
}
