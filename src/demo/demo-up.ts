/** `slipway up --demo`: on a running server, makes the demo's users, repositories and base image, runs the first release into dev and waits for every environment to be Healthy. Idempotent. */

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { ApiClient } from "../cli/api-client";
import { SlipwayError } from "../core/errors";
import { freeLoopbackPort, loopback } from "../runtime/local/ports";
import { ensureAccounts, type DemoAccounts } from "./demo-accounts";
import { checkoutRoot, defaultIngressPorts, demoDir, environments, registryTokenSecret, shopRepo, shopServices, type DemoRuntime, type Environment } from "./demo-config";
import { pushApplications, seedDeployRepo, seedShopRepo, type SeedContext } from "./demo-seed";
import { poll, requireSuccess, servedVersion, waitForApps, waitForRun, type RunView } from "./demo-wait";
import { ensureNodeBaseImage } from "./node-base-image";

export interface DemoStage {
  name: string;
  ms: number;
  detail?: string;
}

export interface DemoSummary {
  url: string;
  dashboard: string;
  dataDir: string;
  environments: Record<string, string | undefined>;
  users: { name: string; role: string; tokenPath: string }[];
  repositories: { name: string; clone: string; workingCopy: string }[];
  /** environment → service → the version it answers with through the ingress. */
  versions: Record<string, Record<string, string>>;
  stages: DemoStage[];
  nextSteps: string[];
}

export interface DemoUpOptions {
  url: string;
  admin: ApiClient;
  dataDir: string;
  /** Progress lines (stderr). */
  progress(line: string): void;
  timeoutMs?: number;
  /** The runtime the Applications name (`slipway up --runtime`); default local. */
  runtime?: DemoRuntime;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, loopback, () => server.close(() => resolve(true)));
  });
}

/** The ingress port of each environment: the one asked for (8080–8082 by default), else a free one. */
export async function chooseIngressPorts(requested: Record<string, number>): Promise<{ ports: Record<Environment, number>; moved: string[] }> {
  const ports = { ...defaultIngressPorts };
  const moved: string[] = [];
  for (const env of environments) {
    const wanted = requested[env] ?? defaultIngressPorts[env];
    ports[env] = (await portIsFree(wanted)) ? wanted : await freeLoopbackPort();
    if (ports[env] !== wanted) moved.push(`${env}: ${wanted} is taken, using ${ports[env]}`);
  }
  return { ports, moved };
}

const appNames = (env: Environment): string[] => shopServices.map((service) => `${service}-${env}`);

async function timed<T>(stages: DemoStage[], progress: (line: string) => void, name: string, work: () => Promise<T>, detail?: (value: T) => string | undefined): Promise<T> {
  const started = Date.now();
  progress(`▸ ${name}…`);
  const value = await work();
  const stage: DemoStage = { name, ms: Date.now() - started, detail: detail?.(value) };
  stages.push(stage);
  progress(`✓ ${name} (${(stage.ms / 1000).toFixed(1)} s)${stage.detail ? ` — ${stage.detail}` : ""}`);
  return value;
}

/** Image names carry the server's host:port: a data directory's demo works on the address it was made on, which is kept in <data>/demo/address. */
async function assertSameAddress(dir: string, host: string): Promise<void> {
  const file = join(dir, "address");
  const recorded = (await readFile(file, "utf8").catch(() => "")).trim();
  if (recorded && recorded !== host) {
    throw new SlipwayError("DEMO_STEP_FAILED", `this data directory's demo was made on ${recorded} (its images are named ${recorded}/demo/shop/…), and the server now listens on ${host}`, { hint: `Start it on the same port: slipway up --demo --port ${recorded.split(":").pop() ?? ""}` });
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${host}\n`);
}

/**
 * A data directory's demo stays on the runtime it was made on (<data>/demo/runtime; demos older than the file ran on
 * local): its Applications name that runtime, so another would leave every replica running where it is. Reads only.
 */
export async function assertSameRuntime(dataDir: string, runtime: DemoRuntime): Promise<void> {
  const dir = demoDir(dataDir);
  const made = existsSync(join(dir, "address"));
  const recorded = (await readFile(join(dir, "runtime"), "utf8").catch(() => (made ? "local" : ""))).trim();
  if (recorded && recorded !== runtime) {
    throw new SlipwayError("DEMO_STEP_FAILED", `this data directory's demo runs on the ${recorded} runtime (its Applications name destination.name: ${recorded}), not ${runtime}`, { hint: `Start it as it was made: slipway up --demo --runtime ${recorded}; or give the ${runtime} demo a fresh directory: slipway up --demo --runtime ${runtime} --data <new dir>` });
  }
}

/** The build.yml run that released the shop: the one for `sha` when it was just pushed, else the latest successful one. */
async function firstRelease(api: ApiClient, sha: string | undefined, timeoutMs: number): Promise<RunView | undefined> {
  if (sha) return requireSuccess(await waitForRun(api, shopRepo, "build.yml", { sha, event: "push" }, timeoutMs), "the first release (build.yml)");
  const runs = await api.request<RunView[]>("GET", `/repos/${shopRepo}/runs?limit=100`);
  const build = runs.filter((run) => run.workflowFile.endsWith("/build.yml"));
  const chosen = build.find((run) => run.conclusion === "success") ?? build[0];
  return chosen ? requireSuccess(await api.request<RunView>("GET", `/runs/${chosen.id}`), "the first release (build.yml)") : undefined;
}

async function versionsOf(ingress: (env: Environment) => string | undefined): Promise<Record<string, Record<string, string>>> {
  const versions: Record<string, Record<string, string>> = {};
  for (const env of environments) {
    const url = ingress(env);
    versions[env] = {};
    for (const service of shopServices) versions[env][service] = (url ? await servedVersion(url, service) : undefined) ?? "not answering";
  }
  return versions;
}

export async function bringUpDemo(options: DemoUpOptions): Promise<DemoSummary> {
  const { url, admin, dataDir, progress } = options;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const stages: DemoStage[] = [];
  const checkout = checkoutRoot();
  const dir = demoDir(dataDir);
  const registryHost = new URL(url).host;
  // Runs started by this server see its address (github.server_url) and the CI bot's token as a secret.
  process.env.SLIPWAY_URL = url;
  const runtime = options.runtime ?? "local";
  await assertSameRuntime(dataDir, runtime);
  await assertSameAddress(dir, registryHost);
  await writeFile(join(dir, "runtime"), `${runtime}\n`);
  await timed(stages, progress, "Node base image node-base:20", () => ensureNodeBaseImage(dataDir, checkout), (image) => `${image.cached ? "cached" : "built offline"} ${image.digest.slice(0, 19)}`);
  const accounts: DemoAccounts = await timed(stages, progress, "users demo, reviewer, ci and repositories demo/shop, demo/shop-deploy", () => ensureAccounts(admin, dir));
  process.env[`SLIPWAY_SECRET_${registryTokenSecret}`] = accounts.ci.token;
  const seed: SeedContext = { url, registryHost, checkout, dir, accounts, runtime };
  await timed(stages, progress, "push demo/shop-deploy (manifests for dev, staging, prod)", () => seedDeployRepo(seed), (sha) => (sha ? `main at ${sha.slice(0, 7)}` : "already there"));
  const shopSha = await timed(stages, progress, "push demo/shop (7 conventional commits)", () => seedShopRepo(seed), (sha) => (sha ? `main at ${sha.slice(0, 7)}` : "already there"));
  await timed(stages, progress, "first release: build.yml (release, tests, images, promote to dev)", () => firstRelease(accounts.ci.api, shopSha, timeoutMs), (run) => (run ? `run ${run.id}, ${run.jobs.length} jobs` : "no build run"));
  await timed(stages, progress, "push the Argo CD Applications", () => pushApplications(seed), (sha) => (sha ? `main at ${sha.slice(0, 7)}` : "already there"));
  const apps = await timed(stages, progress, "dev, staging and prod Healthy", () => waitForApps(accounts.ci.api, environments.flatMap(appNames), timeoutMs), (found) => `${found.length} applications`);
  const ingress = (env: Environment): string | undefined => apps.find((app) => app.namespace === env && app.ingressUrl)?.ingressUrl;
  return {
    url,
    dashboard: `${url}/`,
    dataDir,
    environments: Object.fromEntries(environments.map((env) => [env, ingress(env)])),
    users: [
      { name: "admin", role: "site admin (bootstrap)", tokenPath: `${dataDir}/admin.token` },
      { name: accounts.author.name, role: "site admin, author of the demo's changes", tokenPath: accounts.author.tokenPath },
      { name: accounts.reviewer.name, role: "developer on both repositories: reviews and approves", tokenPath: accounts.reviewer.tokenPath },
      { name: accounts.ci.name, role: "developer: the workflows' REGISTRY_TOKEN", tokenPath: accounts.ci.tokenPath },
    ],
    repositories: [
      { name: shopRepo, clone: `${url}/git/${shopRepo}.git`, workingCopy: `${dir}/shop` },
      { name: "demo/shop-deploy", clone: `${url}/git/demo/shop-deploy.git`, workingCopy: `${dir}/shop-deploy` },
    ],
    versions: await versionsOf(ingress),
    stages,
    nextSteps: nextSteps(url, dataDir, dir, ingress("dev")),
  };
}

function nextSteps(url: string, dataDir: string, dir: string, dev: string | undefined): string[] {
  return [
    `alias slipway="node ${join(checkoutRoot(), "bin", "slipway.js")}"`,
    `export SLIPWAY_URL=${url} SLIPWAY_TOKEN=$(cat ${dir}/demo.token)`,
    `cd ${dir}/shop && git checkout -b feature/hello && $EDITOR services/catalog/src/app.js`,
    `git commit -am "feat(catalog): …" && git push -u origin feature/hello     # CI runs: lint, tests, scan, alpha images`,
    `slipway pr create --repository demo/shop --source feature/hello --title "feat(catalog): …"`,
    `SLIPWAY_TOKEN=$(cat ${dir}/reviewer.token) slipway pr review 1 --repository demo/shop --approve`,
    `slipway pr merge 1 --repository demo/shop     # build.yml: release, images, promote to dev${dev ? ` (${dev})` : ""}`,
    `slipway dispatch deploy.yml --repository demo/shop --input service=catalog --input version=1.1.0 --input environment=staging`,
    `slipway apps; slipway ps -n dev; slipway runs     # break a readiness probe and watch the rollback: slipway demo story`,
    `the whole story, measured: slipway demo story     (data: ${dataDir})`,
  ];
}

/** Waits until the server answers (used before the demo starts). */
export async function serverAnswers(api: ApiClient, timeoutMs = 10_000): Promise<void> {
  await poll("the server", () => api.request("GET", "/user").then(() => true, () => undefined), timeoutMs);
}
