/**
 * `slipway demo story`: the users' "add two-factor authentication" story (seed 004) driven end to end against a demo server,
 * measured: commit → CI → review → merge → release → images → dev → staging → prod, then a broken change rolled back.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiClient, type ApiClient } from "../cli/api-client";
import { SlipwayError } from "../core/errors";
import { ensureAccounts, type DemoAccounts } from "./demo-accounts";
import { checkoutRoot, shopRepo, shopServices } from "./demo-config";
import { openCopy } from "./demo-seed";
import { healthPaths, poll, requireSuccess, servedVersion, waitForApps, type AppView, type RunView } from "./demo-wait";
import { deliverChange, type StoryChange } from "./story-change";
import { Timeline, type StoryResult } from "./story-timeline";

export interface StoryOptions {
  url: string;
  adminToken: string;
  progress(line: string): void;
  timeoutMs?: number;
}

const twoFactor = (branch: string, stamp: string): StoryChange => ({
  files: "2fa",
  branch,
  message: [
    "feat(auth): add two-factor authentication",
    "",
    "- Add TOTP generation and validation (RFC 6238)",
    "- Add an otpauth:// URL for authenticator apps",
    "- Add backup codes",
    `- Story run ${stamp}`,
  ].join("\n"),
  review: "LGTM! Tests look good.",
  note: { path: "services/auth/docs/two-factor.md", text: `# Two-factor authentication\n\nPOST /api/auth/2fa/setup returns a TOTP secret, an otpauth:// URL and 8 backup codes;\nPOST /api/auth/2fa/verify with a current code (or a backup code) enables it.\n\n(slipway demo story, ${stamp})\n` },
});

const brokenReadiness = (branch: string, stamp: string): StoryChange => ({
  files: "broken-readiness",
  branch,
  message: "fix(catalog): read products from the source CATALOG_SOURCE names\n\nThe tests set CATALOG_SOURCE; the deployment does not.",
  review: "Looks fine to me.",
  note: { path: "services/catalog/docs/sources.md", text: `# Product sources\n\nCATALOG_SOURCE names where the products come from (builtin).\n\n(slipway demo story, ${stamp})\n` },
});

function waitForVersion(ingress: string, service: string, version: string, timeoutMs: number): Promise<number> {
  let seen: string | undefined;
  return poll(`${service} v${version} through ${ingress}`, async () => {
    seen = await servedVersion(ingress, service);
    return seen === version ? Date.now() : undefined;
  }, timeoutMs, () => `serving ${seen ?? "nothing"}`, 100);
}

/** Dispatches deploy.yml; a job held for a protected environment is approved by the reviewer. */
async function deploy(accounts: DemoAccounts, service: string, version: string, environment: string, timeoutMs: number): Promise<{ run: RunView; approvedBy?: string }> {
  const created = await accounts.author.api.request<{ runs: { id: number }[] }>("POST", `/repos/${shopRepo}/dispatches`, { workflow: "deploy.yml", ref: "main", inputs: { service, version, environment } });
  const id = created.runs[0]?.id;
  if (id === undefined) throw new SlipwayError("DEMO_STEP_FAILED", "deploy.yml did not start a run");
  let approvedBy: string | undefined;
  const run = await poll(`deploy.yml run ${id} (${service} v${version} → ${environment})`, async () => {
    const current = await accounts.author.api.request<RunView>("GET", `/runs/${id}`);
    if (current.status === "completed") return current;
    if (!approvedBy && current.jobs.some((job) => job.status === "waiting")) {
      const pending = await accounts.reviewer.api.request<{ id: number; environment: string }[]>("GET", `/approvals?repo=${encodeURIComponent(shopRepo)}&state=pending`).catch(() => []);
      const request = pending.find((approval) => approval.environment === environment);
      if (request) {
        await accounts.reviewer.api.request("POST", `/approvals/${request.id}/approve`, { comment: `${service} v${version} looked good in the previous environment` });
        approvedBy = accounts.reviewer.name;
      }
    }
    return undefined;
  }, timeoutMs);
  return { run: requireSuccess(run, `deploy of ${service} v${version} to ${environment}`), approvedBy };
}

function ingressOf(apps: AppView[], env: string): string {
  const url = apps.find((app) => app.namespace === env && app.ingressUrl)?.ingressUrl;
  if (!url) throw new SlipwayError("DEMO_STEP_FAILED", `${env} has no ingress: is the demo up (slipway up --demo)?`);
  return url;
}

export async function runStory(options: StoryOptions): Promise<StoryResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const admin: ApiClient = apiClient(options.url, options.adminToken);
  const work = await mkdtemp(join(tmpdir(), "slipway-story-"));
  try {
    const accounts = await ensureAccounts(admin, join(work, "tokens"));
    const apps = await waitForApps(accounts.author.api, ["dev", "staging", "prod"].flatMap((env) => shopServices.map((s) => `${s}-${env}`)), 60_000).catch((error: unknown) => {
      throw new SlipwayError("DEMO_STEP_FAILED", `the demo is not up on ${options.url}: ${(error as Error).message}`, { hint: "Start it with `slipway up --demo` (or run `slipway demo story` without SLIPWAY_URL: it starts its own)." });
    });
    const ingress = { dev: ingressOf(apps, "dev"), staging: ingressOf(apps, "staging"), prod: ingressOf(apps, "prod") };
    const copy = await openCopy({ url: options.url, registryHost: new URL(options.url).host, checkout: checkoutRoot(), dir: work, accounts }, shopRepo, accounts.author, "shop");
    const stamp = new Date().toISOString();
    const suffix = (await copy.remoteHas("feature/2fa")) ? `-${Date.now().toString(36)}` : "";
    const timeline = new Timeline(Date.now(), options.progress);
    const storyDir = join(checkoutRoot(), "examples", "shop", "story-changes");
    const context = { copy, accounts, storyDir, timeline, timeoutMs, detailed: true, label: "feature" };
    options.progress(`slipway demo story on ${options.url}: feat(auth): add two-factor authentication`);

    const feature = await deliverChange(context, { ...twoFactor(`feature/2fa${suffix}`, stamp) });
    const version = feature.released.auth;
    if (!version) throw new SlipwayError("DEMO_STEP_FAILED", `build.yml released ${JSON.stringify(feature.released)}, not auth`);
    const devJobEnd = Math.max(...feature.build.jobs.filter((job) => job.jobId === "dev").map((job) => job.completedAt ?? 0), 0) || (feature.build.completedAt ?? Date.now());
    const devAt = await waitForVersion(ingress.dev, "auth", version, timeoutMs);
    timeline.add("dev-healthy", `auth v${version} healthy in dev (sync, rollout)`, devJobEnd, devAt, `${ingress.dev}${healthPaths.auth}`);

    const approvals: string[] = [];
    const promoted: Record<string, number> = {};
    for (const env of ["staging", "prod"] as const) {
      const start = Date.now();
      const { approvedBy } = await deploy(accounts, "auth", version, env, timeoutMs);
      promoted[env] = await waitForVersion(ingress[env], "auth", version, timeoutMs);
      approvals.push(approvedBy ? `${env} approved by ${approvedBy}` : `${env} unprotected`);
      timeline.add(env, `deploy.yml → ${env}: promote, smoke, notify`, start, promoted[env], approvedBy ? `approved by ${approvedBy}` : undefined);
    }

    const before = await servedVersion(ingress.dev, "catalog");
    type History = AppView & { history?: { id: number; result?: string; rolledBackTo?: string; revertCommit?: string }[] };
    const historyOf = async (): Promise<NonNullable<History["history"]>> => (await accounts.author.api.request<History>("GET", "/apps/catalog-dev")).history ?? [];
    const lastSyncId = Math.max(0, ...(await historyOf()).map((record) => record.id));
    const broken = await deliverChange({ ...context, detailed: false, label: "Broken change" }, brokenReadiness(`bugfix/catalog-source${suffix}`, stamp));
    const brokenVersion = broken.released.catalog ?? "?";
    const promotedAt = Math.max(...broken.build.jobs.filter((job) => job.jobId === "dev").map((job) => job.completedAt ?? 0), 0) || (broken.build.completedAt ?? Date.now());
    // A sync after this point that ended RolledBack (a self-heal sync may already follow it).
    const rolledBack = await poll("catalog-dev rolled back", async () => (await historyOf()).find((record) => record.id > lastSyncId && record.result === "RolledBack"), timeoutMs);
    const detectedAt = Date.now();
    const serving = (await servedVersion(ingress.dev, "catalog")) ?? "nothing";
    timeline.add("rollback", `catalog v${brokenVersion} not ready → rolled back`, promotedAt, detectedAt, `dev still serves catalog v${serving}, revert ${rolledBack.revertCommit?.slice(0, 7) ?? "?"}`, serving === before);
    if (serving !== before) throw new SlipwayError("DEMO_STEP_FAILED", `after the rollback dev serves catalog ${serving}, expected ${before}`);

    return {
      server: options.url,
      feature: { branch: `feature/2fa${suffix}`, commit: feature.commit, pullRequest: feature.pullRequest, mergeCommit: feature.mergeCommit, version },
      stages: timeline.stages,
      commitToDevMs: devAt - timeline.origin,
      commitToStagingMs: promoted.staging - timeline.origin,
      commitToProdMs: promoted.prod - timeline.origin,
      rollback: { service: "catalog", brokenVersion, servingVersion: serving, rolledBackTo: rolledBack.rolledBackTo, revertCommit: rolledBack.revertCommit, detectMs: detectedAt - promotedAt },
      approvals: approvals.join(", "),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
