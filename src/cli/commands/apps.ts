/** `slipway apps|sync|rollback|ps`: GitOps Applications on the server (SLIPWAY_URL) — status, manual sync, rollback, replicas. */

import type { Command } from "commander";
import type { AppSummary, ReplicaView } from "../../server/services/delivery";
import type { SyncRecord } from "../../sync/controller/types";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { formatDuration, renderTable, styleFor } from "../render/style";
import { SlipwayError } from "../../core/errors";

type JsonFlags = { json?: boolean; repo?: string };

const repoOption = ["--repo <owner/name>", "the env repo, when two have an Application of that name"] as const;

function short(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : "-";
}

function query(repo: string | undefined): string {
  return repo ? `?repo=${encodeURIComponent(repo)}` : "";
}

function appRows(apps: AppSummary[]): string[][] {
  return apps.map((app) => [app.name, app.repo, `${app.runtime}/${app.namespace}`, app.sync, app.health, short(app.syncedRevision), app.lastSync ? `${app.lastSync.result ?? "Running"} ${app.lastSync.finishedAt ?? app.lastSync.startedAt}` : "-"]);
}

function describeRecord(record: SyncRecord): string {
  const parts = [`${record.result ?? "Running"} at ${short(record.revision)}`];
  if (record.rolledBackTo) parts.push(`restored ${short(record.rolledBackTo)}`);
  if (record.revertCommit) parts.push(`git ${short(record.revertCommit)}`);
  if (record.message) parts.push(record.message);
  return parts.join(" · ");
}

async function listApps(flags: JsonFlags): Promise<number> {
  const apps = await requireServer().request<AppSummary[]>("GET", "/apps");
  if (flags.json) printJson(apps);
  else if (apps.length === 0) process.stdout.write("No Applications yet: push apps/*.yaml to an env repo on the server.\n");
  else process.stdout.write(`${renderTable(["APP", "REPO", "DESTINATION", "SYNC", "HEALTH", "REVISION", "LAST SYNC"], appRows(apps))}\n`);
  return 0;
}

async function syncApp(name: string, flags: JsonFlags): Promise<number> {
  const result = await requireServer().request<AppSummary & { history: SyncRecord[] }>("POST", `/apps/${encodeURIComponent(name)}/sync${query(flags.repo)}`);
  const last = result.history[0];
  const ok = last?.result === "Succeeded" || (last === undefined && result.health === "Healthy");
  if (flags.json) printJson(result);
  else {
    const style = styleFor(process.stdout);
    process.stdout.write(`${style.bold(name)}: ${result.sync}, ${result.health} at ${short(result.syncedRevision)}\n`);
    if (last) process.stdout.write(`  last sync: ${describeRecord(last)}\n`);
  }
  return ok ? 0 : 1;
}

async function rollbackApp(name: string, flags: JsonFlags & { to?: string }): Promise<number> {
  const body = flags.to ? { revision: flags.to } : {};
  const result = await requireServer().request<{ record: SyncRecord; app: AppSummary }>("POST", `/apps/${encodeURIComponent(name)}/rollback${query(flags.repo)}`, body);
  if (flags.json) printJson(result);
  else process.stdout.write(`${name}: rollback ${describeRecord(result.record)}\n`);
  return result.record.result === "Succeeded" ? 0 : 1;
}

async function showHistory(name: string, flags: JsonFlags & { limit?: string }): Promise<number> {
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new SlipwayError("USAGE", `--limit must be a whole number from 1 to 1000, not "${flags.limit}"`);
  const params = new URLSearchParams({ limit: String(limit), ...(flags.repo ? { repo: flags.repo } : {}) });
  const records = await requireServer().request<SyncRecord[]>("GET", `/apps/${encodeURIComponent(name)}/syncs?${params.toString()}`);
  if (flags.json) {
    printJson(records);
    return 0;
  }
  if (records.length === 0) {
    process.stdout.write(`${name} has no syncs yet.\n`);
    return 0;
  }
  const rows = records.map((record) => [
    String(record.id), record.startedAt.replace("T", " ").slice(0, 19), record.trigger.kind + (record.trigger.by ? ` (${record.trigger.by})` : ""), short(record.revision),
    record.result ?? "Running", formatDuration(record.durationMs), [record.rolledBackTo ? `restored ${short(record.rolledBackTo)}` : "", record.message ?? ""].filter(Boolean).join("; "),
  ]);
  process.stdout.write(`${renderTable(["ID", "STARTED (UTC)", "TRIGGER", "REVISION", "RESULT", "DURATION", "MESSAGE"], rows)}\n`);
  return 0;
}

async function listReplicas(flags: JsonFlags & { namespace?: string }): Promise<number> {
  const server = requireServer();
  const apps = (await server.request<AppSummary[]>("GET", "/apps")).filter((app) => !flags.namespace || app.namespace === flags.namespace);
  const replicas: ReplicaView[] = [];
  for (const app of apps) replicas.push(...(await server.request<ReplicaView[]>("GET", `/apps/${encodeURIComponent(app.name)}/replicas?repo=${encodeURIComponent(app.repo)}`)));
  if (flags.json) {
    printJson(replicas);
    return 0;
  }
  if (replicas.length === 0) {
    process.stdout.write(`No replicas${flags.namespace ? ` in ${flags.namespace}` : ""}.\n`);
    return 0;
  }
  // A process replica by its pid, a container by its short id: one column for both runtimes.
  const processOf = (r: (typeof replicas)[number]): string => (r.containerId ? r.containerId.slice(0, 12) : String(r.pid ?? "-"));
  const rows = replicas.map((r) => [r.namespace, `deploy/${r.deployment}`, r.name, processOf(r), String(r.port ?? "-"), r.image, r.revision, r.ready ? "ready" : "not ready", r.phase, String(r.restarts)]);
  process.stdout.write(`${renderTable(["ENV", "WORKLOAD", "REPLICA", "PID/CONTAINER", "PORT", "IMAGE", "REVISION", "READY", "PHASE", "RESTARTS"], rows)}\n`);
  return 0;
}

export function registerAppsCommand(program: Command): void {
  const apps = program.command("apps").description("list the GitOps Applications on the server (SLIPWAY_URL)").option("--json", "print them as JSON").action(action(listApps));
  apps
    .command("history")
    .description("an Application's sync history (trigger, revision, result, duration), newest first; it survives server restarts")
    .argument("<app>", "the Application name")
    .option("--limit <n>", "how many syncs (default 50)")
    .option(...repoOption)
    .option("--json", "print the sync records as JSON")
    // `apps` has its own --json, which commander gives the parent: merge it back.
    .action((name: string, flags: JsonFlags & { limit?: string }, command: Command) => action((app: string, merged: typeof flags, _command: Command) => showHistory(app, merged))(name, { ...command.optsWithGlobals<JsonFlags>(), ...flags }, command));
  program
    .command("sync")
    .description("sync an Application now: apply its env repo revision (even when automated sync is off)")
    .argument("<app>", "the Application name")
    .option(...repoOption)
    .option("--json", "print the app status and sync history as JSON")
    .action(action(syncApp));
  program
    .command("rollback")
    .description("roll an Application back (default: the last revision that ran Healthy) and commit git back to it")
    .argument("<app>", "the Application name")
    .option("--to <revision>", "the env repo revision to restore")
    .option(...repoOption)
    .option("--json", "print the rollback record as JSON")
    .action(action(rollbackApp));
  program
    .command("ps")
    .description("list every replica the server runs, with pid, port, image, revision and readiness")
    .option("-n, --namespace <env>", "only this environment (namespace)")
    .option("--json", "print the replicas as JSON")
    .action(action(listReplicas));
}
