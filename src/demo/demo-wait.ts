/** Waiting on a slipway server through its API: a workflow run for a commit, a commit's checks, Applications Healthy at a revision. */

import type { ApiClient } from "../cli/api-client";
import { SlipwayError } from "../core/errors";

export interface JobView {
  name: string;
  jobId: string;
  status: string;
  conclusion: string | null;
  environment: string | null;
  outputs: Record<string, unknown>;
  startedAt: number | null;
  completedAt: number | null;
}

export interface RunView {
  id: number;
  repo: string;
  workflowFile: string;
  event: string;
  sha: string;
  status: string;
  conclusion: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  jobs: JobView[];
}

export interface AppView {
  name: string;
  namespace: string;
  health: string;
  healthMessage?: string;
  sync: string;
  operation: string;
  syncedRevision?: string;
  targetRevision?: string;
  ingressUrl?: string;
  lastSync?: { revision: string; result?: string; rolledBackTo?: string; revertCommit?: string; durationMs?: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `intervalMs` until it returns a value; a timeout names what was awaited and the last state seen. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, describe?: () => string, intervalMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new SlipwayError("DEMO_STEP_FAILED", `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${describe ? ` (${describe()})` : ""}`);
    await sleep(intervalMs);
  }
}

/** The run of `workflow` (file name) for `sha` (and `event` when given), once it has completed. */
export async function waitForRun(api: ApiClient, repo: string, workflow: string, match: { sha: string; event?: string; after?: number }, timeoutMs: number): Promise<RunView> {
  let seen = "not started";
  const run = await poll(`${workflow} on ${match.sha.slice(0, 7)}`, async () => {
    const runs = await api.request<RunView[]>("GET", `/repos/${repo}/runs?limit=100`);
    const found = runs.find((candidate) => candidate.workflowFile.endsWith(`/${workflow}`) && candidate.sha === match.sha && (!match.event || candidate.event === match.event) && (!match.after || candidate.id > match.after));
    if (!found) return undefined;
    seen = found.status;
    return found.status === "completed" ? found : undefined;
  }, timeoutMs, () => seen);
  return api.request<RunView>("GET", `/runs/${run.id}`);
}

/** Fails with the failed jobs' names when a run did not succeed. */
export function requireSuccess(run: RunView, what: string): RunView {
  if (run.conclusion === "success") return run;
  const failed = run.jobs.filter((job) => job.conclusion === "failure").map((job) => job.name);
  throw new SlipwayError("DEMO_STEP_FAILED", `${what}: run ${run.id} (${run.workflowFile}) concluded ${run.conclusion}${failed.length > 0 ? `; failed jobs: ${failed.join(", ")}` : ""}`, { hint: `slipway runs show ${run.id}; slipway logs ${run.id}` });
}

/** The commit's checks once none is pending: "validations passed" or "failed". */
export async function waitForChecks(api: ApiClient, repo: string, sha: string, timeoutMs: number): Promise<{ state: string; checks: { name: string; conclusion: string | null }[] }> {
  let seen = "none";
  return poll(`the checks of ${sha.slice(0, 7)}`, async () => {
    const result = await api.request<{ state: string; checks: { name: string; conclusion: string | null }[] }>("GET", `/repos/${repo}/commits/${sha}/checks`);
    seen = result.state;
    return result.state === "validations passed" || result.state === "failed" ? result : undefined;
  }, timeoutMs, () => seen);
}

/** The Applications, once each named one is Healthy and idle (at `revision` when given). */
export async function waitForApps(api: ApiClient, names: string[], timeoutMs: number, revision?: string): Promise<AppView[]> {
  let pending: string[] = names;
  return poll(`${names.join(", ")} Healthy${revision ? ` at ${revision.slice(0, 7)}` : ""}`, async () => {
    const apps = await api.request<AppView[]>("GET", "/apps");
    const ready = (app: AppView | undefined): boolean => app !== undefined && app.health === "Healthy" && app.operation === "Idle" && (!revision || app.syncedRevision === revision);
    pending = names.filter((name) => !ready(apps.find((app) => app.name === name)));
    return pending.length === 0 ? apps.filter((app) => names.includes(app.name)) : undefined;
  }, timeoutMs, () => `waiting for ${pending.join(", ")}`);
}

/** Where each shop service answers its health check (with its version) through an environment's ingress. */
export const healthPaths: Record<string, string> = { gateway: "/api/healthz", auth: "/api/auth/healthz", catalog: "/api/products/healthz", orders: "/api/orders/healthz", web: "/healthz" };

/** The version a service answers with through an environment's ingress (undefined while it does not answer 200). */
export async function servedVersion(ingress: string, service: string): Promise<string | undefined> {
  const response = await fetch(`${ingress}${healthPaths[service]}`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  if (!response || response.status !== 200) return undefined;
  const body = (await response.json().catch(() => ({}))) as { version?: unknown };
  return typeof body.version === "string" ? body.version : undefined;
}
