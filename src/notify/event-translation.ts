/** Server events → notification events: which trigger a server event is, its fields (service, version, environment, commit, author, link) and its once-only key. */

import type { MessageFields, NotificationEvent, TriggerName } from "./triggers";

/** A server event seen as plain data: the notifier also reads events other engineers add later, by name and field. */
export type ServerEventData = { type: string } & Record<string, unknown>;

export interface RunFacts {
  ref: string;
  sha: string;
  actor: string;
  workflow: string;
  runNumber: number;
  defaultBranch: string;
}

/** What the server knows beyond the event itself. */
export interface TranslationLookups {
  /** The namespace (environment) the app deploys to. */
  environmentOf(app: string, repo: string): string | undefined;
  /** The image tag the app runs (e.g. v1.4.0). */
  versionOf(app: string, repo: string): string | undefined;
  run(repo: string, runId: number): Promise<RunFacts | undefined>;
  /** An absolute URL into the server for `path` (e.g. /apps/web). */
  link(path: string): string;
}

function text(event: ServerEventData, name: string): string | undefined {
  const value = event[name];
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

const short = (sha: string | undefined): string | undefined => (sha && /^[0-9a-f]{40}$/.test(sha) ? sha.slice(0, 7) : sha);

function appFields(event: ServerEventData, lookups: TranslationLookups): MessageFields & { app: string; repo: string } {
  const app = text(event, "app") ?? text(event, "service") ?? "";
  const repo = text(event, "repo") ?? "";
  const revision = text(event, "revision") ?? text(event, "failedRevision");
  return {
    app,
    repo,
    revision: short(revision),
    service: text(event, "service") ?? app,
    version: text(event, "version") ?? lookups.versionOf(app, repo),
    environment: text(event, "environment") ?? lookups.environmentOf(app, repo),
    commit: short(text(event, "commit") ?? revision),
    author: text(event, "author"),
    message: text(event, "message") ?? text(event, "reason"),
    link: lookups.link(`/apps/${encodeURIComponent(app)}`),
  };
}

const failedConclusions = new Set(["failure", "timed_out", "startup_failure"]);

async function runEvent(event: ServerEventData, lookups: TranslationLookups): Promise<NotificationEvent | undefined> {
  const repo = text(event, "repo");
  const runId = Number(event.runId);
  const conclusion = text(event, "conclusion") ?? "";
  if (!repo || !Number.isInteger(runId)) return undefined;
  const trigger: TriggerName | undefined = conclusion === "success" ? "run.succeeded" : failedConclusions.has(conclusion) ? "run.failed" : undefined;
  if (!trigger) return undefined;
  const run = await lookups.run(repo, runId);
  // Only the default branch notifies: feature branches and pull requests report through checks.
  if (!run || run.ref !== `refs/heads/${run.defaultBranch}`) return undefined;
  return {
    trigger,
    key: `run:${repo}:${runId}`,
    fields: {
      repo, run: String(run.runNumber), workflow: run.workflow, conclusion, branch: run.defaultBranch, commit: short(run.sha), author: run.actor,
      link: lookups.link(`/repos/${repo}/runs/${runId}`),
    },
  };
}

/** The notification an event makes, or undefined when it makes none. */
export async function translateEvent(event: ServerEventData, lookups: TranslationLookups): Promise<NotificationEvent | undefined> {
  switch (event.type) {
    case "run.completed":
      return runEvent(event, lookups);
    case "sync.succeeded":
    case "app.deployed": {
      if (event.type === "sync.succeeded" && text(event, "result") !== "Succeeded") return undefined;
      const fields = appFields(event, lookups);
      return { trigger: "deployed", key: `deployed:${fields.repo}:${fields.app}:${text(event, "revision") ?? ""}`, fields };
    }
    case "sync.failed":
    case "app.deploy-failed": {
      // A rolled-back sync is announced by its rollback event.
      if (text(event, "result") === "RolledBack") return undefined;
      const fields = appFields(event, lookups);
      return { trigger: "sync.failed", key: `sync.failed:${fields.repo}:${fields.app}:${text(event, "revision") ?? ""}`, fields };
    }
    case "rollback":
    case "app.rolled-back": {
      const fields = appFields(event, lookups);
      const restored = short(text(event, "restoredRevision"));
      if (restored && !fields.message) fields.message = `restored ${restored}`;
      return { trigger: "rollback", key: `rollback:${fields.repo}:${fields.app}:${text(event, "failedRevision") ?? text(event, "revision") ?? ""}`, fields };
    }
    case "app.health.degraded":
    case "health.degraded": {
      const fields = appFields(event, lookups);
      return { trigger: "health.degraded", key: `degraded:${fields.repo}:${fields.app}:${text(event, "revision") ?? ""}`, fields };
    }
    case "approval.requested": {
      const id = text(event, "id") ?? text(event, "approvalId");
      const fields: MessageFields = {
        service: text(event, "service") ?? text(event, "app"), version: text(event, "version"), environment: text(event, "environment"),
        commit: short(text(event, "commit")), author: text(event, "author") ?? text(event, "actor") ?? text(event, "requestedBy"), repo: text(event, "repo"), message: text(event, "message"),
        link: text(event, "link") ?? lookups.link(id ? `/approvals/${id}` : "/approvals"),
      };
      return { trigger: "approval.requested", key: `approval:${id ?? `${fields.service}:${fields.version}:${fields.environment}`}`, fields };
    }
    default:
      return undefined;
  }
}
