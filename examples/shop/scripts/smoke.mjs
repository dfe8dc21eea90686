// Smoke test. Either GET paths on a base URL until each answers 200 (retrying within a timeout):
//   node scripts/smoke.mjs http://127.0.0.1:8081 /healthz /api/products --timeout 30
// or wait until a slipway Application is Healthy at a revision, then check its service through the ingress:
//   node scripts/smoke.mjs --app auth-staging --revision SHA --version 1.1.0   (SLIPWAY_TOKEN, GITHUB_API_URL)
import { appendFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where each service answers its health check through the ingress, and which version it runs. */
export const healthPaths = { gateway: "/api/healthz", auth: "/api/auth/healthz", catalog: "/api/products/healthz", orders: "/api/orders/healthz", web: "/healthz" };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function check(url, deadline, expectVersion) {
  let last = "no answer";
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      const version = expectVersion === undefined ? undefined : JSON.parse(body).version;
      if (response.status === 200 && (expectVersion === undefined || version === expectVersion)) return { ok: true, message: `${url} → 200${version ? ` version ${version}` : ""}` };
      last = response.status === 200 ? `version ${version}, expected ${expectVersion}` : `HTTP ${response.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    if (Date.now() >= deadline) return { ok: false, message: `${url} → ${last}` };
    await sleep(250);
  }
}

export async function smoke(base, paths, timeoutSeconds) {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return Promise.all(paths.map((path) => check(new URL(path, base).toString(), deadline)));
}

/** Waits for the Application to be Healthy and idle at `revision` (any revision when empty); returns its summary. */
export async function waitForApp(api, token, app, revision, deadline) {
  let last = "not found";
  for (;;) {
    const response = await fetch(`${api}/apps/${app}`, { headers: { authorization: `Bearer ${token}` } }).catch((error) => ({ ok: false, status: error.message }));
    if (response.ok) {
      const summary = await response.json();
      const atRevision = !revision || summary.syncedRevision === revision;
      if (atRevision && summary.health === "Healthy" && summary.operation === "Idle") return summary;
      last = `${summary.health}, ${summary.sync}, at ${String(summary.syncedRevision).slice(0, 7)}${revision ? ` (waiting for ${revision.slice(0, 7)})` : ""}`;
    } else last = `HTTP ${response.status}`;
    if (Date.now() >= deadline) throw new Error(`${app} did not become Healthy in time: ${last}`);
    await sleep(250);
  }
}

async function smokeApp(options) {
  const deadline = Date.now() + options.timeout * 1000;
  const service = options.app.replace(/-[^-]+$/, "");
  const path = healthPaths[service];
  if (!path) throw new Error(`unknown service ${service}`);
  const summary = await waitForApp(options.api, options.token, options.app, options.revision, deadline);
  console.log(`✓ ${options.app} is ${summary.health} at ${String(summary.syncedRevision).slice(0, 7)}`);
  if (!summary.ingressUrl) throw new Error(`${options.app}: its environment has no ingress`);
  // For the next steps of a workflow job (slipway/smoke-test): where the environment and the service answer.
  if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `ingress=${summary.ingressUrl}\nhealth_url=${summary.ingressUrl}${path}\n`);
  return check(`${summary.ingressUrl}${path}`, deadline, options.version || undefined);
}

function option(args, name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : fallback;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const timeout = Number(option(args, "--timeout", "30"));
  const app = option(args, "--app");
  if (app) {
    const api = process.env.GITHUB_API_URL ?? `${process.env.SLIPWAY_URL ?? "http://127.0.0.1:7700"}/api/v1`;
    const result = await smokeApp({ app, api, token: process.env.SLIPWAY_TOKEN ?? "", revision: option(args, "--revision", ""), version: option(args, "--version", ""), timeout }).catch((error) => ({ ok: false, message: error.message }));
    console.log(`${result.ok ? "✓" : "✗"} ${result.message}`);
    process.exit(result.ok ? 0 : 1);
  }
  const [base, ...paths] = args;
  if (!base || !Number.isFinite(timeout)) {
    console.error("usage: smoke.mjs BASE_URL [PATH…] [--timeout SECONDS] | --app NAME [--revision SHA] [--version X.Y.Z]");
    process.exit(2);
  }
  const results = await smoke(base, paths.length > 0 ? paths : ["/healthz"], timeout);
  for (const result of results) console.log(`${result.ok ? "✓" : "✗"} ${result.message}`);
  process.exit(results.every((result) => result.ok) ? 0 : 1);
}
