/** Reads delivery facts for one environment from the event log (deploys, rollbacks, health) and computes the DORA report. */

import { isJsonObject, type JsonObject } from "../core/json";
import type { EventLog, EventRecord } from "../store";
import { computeDora, type DeliveryFact, type DoraReport } from "./dora";

export interface DoraReadOptions {
  environment: string;
  since: number;
  until: number;
  /** The environment (namespace) of an app, for events that do not carry one. */
  environmentOf?(app: string, repo: string): string | undefined;
  /** When a commit was made (epoch ms), for events that carry a commit but no commit time. */
  commitTimeOf?(commit: string): Promise<number | undefined>;
}

/** The event types read, by the fact they give. Names other engineers emit are listed next to slipway's own. */
export const doraEventTypes = {
  deployed: ["app.deployed", "sync.succeeded"],
  rolledBack: ["rollback", "app.rolled-back"],
  deployFailed: ["app.deploy-failed"],
  failed: ["app.health.degraded", "health.degraded"],
  healthy: ["app.health.healthy", "health.healthy"],
  healthChanged: ["app.health.changed", "health.changed"],
} as const;

const allTypes: string[] = Object.values(doraEventTypes).flat();
const PAGE = 1000;

const field = (payload: JsonObject, name: string): string | undefined => (typeof payload[name] === "string" && payload[name] !== "" ? (payload[name] as string) : undefined);

function timeField(payload: JsonObject, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = payload[name];
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  }
  return undefined;
}

async function readAll(log: EventLog): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  for (let afterId = 0; ;) {
    const page = await log.list({ afterId, types: allTypes, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
    afterId = page[page.length - 1].id;
  }
}

/** Turns logged events into facts for `environment`; a revision counts as deployed once (self-heal re-syncs do not). */
export async function readDeliveryFacts(log: EventLog, options: DoraReadOptions): Promise<DeliveryFact[]> {
  const facts: DeliveryFact[] = [];
  const deployedRevisions = new Set<string>();
  for (const event of await readAll(log)) {
    const payload = isJsonObject(event.payload) ? event.payload : {};
    const app = field(payload, "app") ?? field(payload, "service") ?? event.subject.replace(/^app:/, "");
    const repo = field(payload, "repo") ?? "";
    const environment = field(payload, "environment") ?? field(payload, "namespace") ?? options.environmentOf?.(app, repo);
    if (environment !== options.environment) continue;
    const at = event.createdAt;
    const appKey = `${repo}/${app}`;
    const type = event.type;
    if ((doraEventTypes.deployed as readonly string[]).includes(type)) {
      const revision = field(payload, "revision") ?? "";
      // A manual rollback re-syncs an older revision: that restores service, it is not a new deployment.
      const trigger = field(payload, "trigger");
      if (type === "sync.succeeded" && (field(payload, "result") ?? "Succeeded") !== "Succeeded") continue;
      if (trigger === "rollback" || deployedRevisions.has(`${appKey}@${revision}`)) {
        facts.push({ kind: "healthy", at, app: appKey });
        continue;
      }
      deployedRevisions.add(`${appKey}@${revision}`);
      let commitAt = timeField(payload, "commitTime", "commitAt", "committedAt");
      // `commit` is the application commit (the promotion's Slipway-Source-Commit trailer); null when unknown.
      const commit = field(payload, "commit");
      if (commitAt === undefined && commit && options.commitTimeOf) commitAt = await options.commitTimeOf(commit);
      facts.push({ kind: "deployed", at, app: appKey, revision, commitAt });
    } else if ((doraEventTypes.rolledBack as readonly string[]).includes(type)) {
      // `slipway rollback` by hand restores service; an automatic rollback ends a failed deployment.
      if (field(payload, "trigger") === "rollback") facts.push({ kind: "healthy", at, app: appKey });
      else facts.push({ kind: "rolled-back", at, app: appKey, revision: field(payload, "failedRevision") ?? field(payload, "revision") ?? "" });
    } else if ((doraEventTypes.deployFailed as readonly string[]).includes(type)) {
      facts.push({ kind: "deploy-failed", at, app: appKey, revision: field(payload, "revision") ?? "" });
    } else if ((doraEventTypes.failed as readonly string[]).includes(type)) {
      facts.push({ kind: "failed", at, app: appKey });
    } else if ((doraEventTypes.healthy as readonly string[]).includes(type)) {
      facts.push({ kind: "healthy", at, app: appKey });
    } else {
      const to = field(payload, "to") ?? field(payload, "health");
      if (to === "Degraded") facts.push({ kind: "failed", at, app: appKey });
      else if (to === "Healthy") facts.push({ kind: "healthy", at, app: appKey });
    }
  }
  return facts;
}

export async function readDoraReport(log: EventLog, options: DoraReadOptions): Promise<DoraReport> {
  return computeDora(options.environment, await readDeliveryFacts(log, options), options.since, options.until);
}
