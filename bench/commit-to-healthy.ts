/**
 * bench/commit-to-healthy: a real server (in-process, port 0) with an env repo holding one trivial service (1 replica,
 * a node HTTP server with an httpGet readiness probe). 20 times: commit a new VERSION, `git push` over HTTP, and time
 * from the push returning to the sync finishing Healthy (the server's sync.succeeded event for that commit). The
 * replica's own start + readiness time (its runtime events: started → ready) is subtracted to give the controller's
 * overhead (target: median under 1 s). Baseline, measured in the same process: the same service spawned directly and
 * polled on /ready with the same probe period.
 * Usage: node dist/bench/commit-to-healthy.js [--record] [--runtime docker]   (--record appends the figures to bench/RESULTS.md;
 * --runtime docker runs the service as a container from an image in the server's registry, against the engine of DOCKER_HOST,
 * with `docker run` of the same image as the baseline)
 */

import { execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freeLoopbackPort } from "../src/runtime/local/ports";
import { startServer } from "../src/server/up";
import { machineDescription, recordResults } from "./record";
import { pushServiceImage, type BenchImage } from "./support/docker-image";

const rounds = 20;
const service = resolve("test/fixtures/sync/server.mjs");
const runtimeName = process.argv.includes("--runtime") ? process.argv[process.argv.indexOf("--runtime") + 1] : "local";
let container = { image: (version: string) => `bench/web:${version}`, command: [process.execPath, service] };
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@localhost", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@localhost" };

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web }
spec:
  source: { repoURL: bench/deploy, path: envs/dev/web, targetRevision: main }
  destination: { name: ${runtimeName}, namespace: dev }
  syncPolicy:
    automated: { prune: true, selfHeal: true }
    syncOptions: [CreateNamespace=true]
`;

function deployment(version: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: ${container.image(version)}
          command: [${container.command.map((part) => JSON.stringify(part)).join(", ")}]
          env: [{ name: VERSION, value: "${version}" }]
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 1, failureThreshold: 1 }
`;
}

const serviceYaml = "apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  selector: { app: web }\n  ports: [{ name: http, port: 80, targetPort: http }]\n";

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8" }).trim();
}

function push(cwd: string, remote: string): Promise<number> {
  return new Promise((done, fail) => execFile("git", ["push", "-q", remote, "HEAD:main"], { cwd, env }, (error, _out, stderr) => (error ? fail(new Error(stderr)) : done(performance.now()))));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The service alone: spawn, then GET /ready at t=0 and every second (the manifest's probe) until 200. */
async function directStart(): Promise<number> {
  const port = await freeLoopbackPort();
  const started = performance.now();
  const child = spawn(process.execPath, [service], { env: { ...process.env, PORT: String(port), VERSION: "base" }, stdio: "ignore" });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((wait) => setTimeout(wait, 1000));
    }
  } finally {
    child.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "slipway-bench-c2h-"));
  const server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined, delivery: { resyncMs: 0, driftCheckMs: 0 } });
  let dockerImage: BenchImage | undefined;
  try {
    const token = readFileSync(join(root, "data", "admin.token"), "utf8").trim();
    if (runtimeName === "docker") {
      dockerImage = await pushServiceImage(server.url, token, service);
      const image = dockerImage.image;
      container = { image: () => `${image}:v1`, command: dockerImage.command };
    }
    const created = await fetch(`${server.url}/api/v1/repos`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "bench/deploy" }) });
    if (created.status !== 201) throw new Error(`creating the env repo: ${created.status} ${await created.text()}`);
    const remote = new URL(`${server.url}/git/bench/deploy.git`);
    remote.username = "bench";
    remote.password = token;
    const work = join(root, "work");
    mkdirSync(join(work, "apps"), { recursive: true });
    mkdirSync(join(work, "envs/dev/web"), { recursive: true });
    git(["init", "-q", "-b", "main"], work);
    writeFileSync(join(work, "apps/web.yaml"), application);
    writeFileSync(join(work, "envs/dev/web/service.yaml"), serviceYaml);

    const synced = new Map<string, number>();
    server.context.events.subscribe((event) => {
      if (event.type === "sync.succeeded") synced.set(event.revision, performance.now());
      if (event.type === "sync.failed") synced.set(event.revision, Number.NaN);
    });
    const ready = new Map<string, { started?: number; ready?: number }>();
    let attached = false;
    const attach = (): void => {
      // The runtime the Application runs on, once it is loaded (round 0 is the warm-up).
      const runtime = server.context.delivery.runtimeOfNamespace("dev");
      if (attached || !runtime) return;
      attached = true;
      // Replica events carry the revision (template hash); the newest one started is the round's.
      runtime.events.on((event) => {
        if (event.kind !== "replica" || event.workload.name !== "web") return;
        const entry = ready.get(event.revision) ?? {};
        if (event.type === "started") entry.started ??= Date.parse(event.at);
        if (event.type === "ready") entry.ready ??= Date.parse(event.at);
        ready.set(event.revision, entry);
      });
    };

    const totals: number[] = [];
    const replicaOwn: number[] = [];
    const overheads: number[] = [];
    const beforeStart: number[] = [];
    const afterReady: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      writeFileSync(join(work, "envs/dev/web/deployment.yaml"), deployment(`v${round}`));
      git(["add", "-A"], work);
      git(["commit", "-qm", `deploy(web): v${round}`], work);
      const sha = git(["rev-parse", "HEAD"], work);
      const before = new Set(ready.keys());
      const pushedAt = await push(work, remote.toString());
      const deadline = Date.now() + 60_000;
      while (!synced.has(sha)) {
        attach();
        if (Date.now() > deadline) throw new Error(`no sync of ${sha}`);
        await new Promise((wait) => setTimeout(wait, 2));
      }
      const total = synced.get(sha)! - pushedAt;
      if (Number.isNaN(total)) throw new Error(`the sync of ${sha} failed`);
      const fresh = [...ready.entries()].filter(([revision]) => !before.has(revision)).map(([, entry]) => entry);
      const own = fresh.reduce((sum, entry) => sum + (entry.ready !== undefined && entry.started !== undefined ? entry.ready - entry.started : 0), 0);
      if (round === 0) continue; // warm-up: the first round creates the app
      // Wall-clock split (event times are ms-precise): push → new replica started, and its readiness → Healthy (old replica drained and stopped).
      const pushedWall = Date.now() - (performance.now() - pushedAt);
      const syncedWall = Date.now() - (performance.now() - synced.get(sha)!);
      const first = fresh.find((entry) => entry.started !== undefined && entry.ready !== undefined);
      if (first) {
        beforeStart.push(first.started! - pushedWall);
        afterReady.push(syncedWall - first.ready!);
      }
      totals.push(total);
      replicaOwn.push(own);
      overheads.push(total - own);
    }
    const baselines: number[] = [];
    for (let i = 0; i < 5; i++) baselines.push(await (dockerImage ? dockerImage.directStart() : directStart()));

    const baseline = median(baselines);
    const figures = [
      [`git push returned → Healthy, median of ${rounds}`, `${median(totals).toFixed(0)} ms`],
      ["git push returned → Healthy, p90", `${percentile(totals, 90).toFixed(0)} ms`],
      ["replica's own start + readiness (runtime events started → ready), median", `${median(replicaOwn).toFixed(0)} ms`],
      ["controller overhead: total − replica's own, median (target < 1 s)", `${median(overheads).toFixed(0)} ms`],
      ["controller overhead, p90", `${percentile(overheads, 90).toFixed(0)} ms`],
      ["  of which: push returned → new replica started, median", `${median(beforeStart).toFixed(0)} ms`],
      ["  of which: new replica ready → Healthy (old replica drained and stopped), median", `${median(afterReady).toFixed(0)} ms`],
      ["baseline: the service spawned directly until /ready answers (same probe period), median of 5", `${baseline.toFixed(0)} ms`],
      ["ratio commit-to-healthy / baseline", `${(median(totals) / baseline).toFixed(2)}×`],
    ];
    for (const [name, value] of figures) console.log(`${name.padEnd(96)} ${value}`);
    if (process.argv.includes("--record")) recordResults(runtimeName === "local" ? "commit-to-healthy" : `commit-to-healthy (${runtimeName} runtime)`, figures);
    else console.log(`\n(${machineDescription()}; pass --record to append to bench/RESULTS.md)`);
  } finally {
    await server.close();
    await dockerImage?.remove();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
