/**
 * bench/reconcile-scale: 1,000 Argo CD Applications in one env repo (git CLI), each a Deployment and a Service, synced
 * once into the local runtime by a SyncController; then the diff-only resync (every app compared with the runtime,
 * nothing to change) is timed (median of 3) and the process RSS measured. Targets: resync under 10 s, RSS under
 * 500 MB. Deployments have 0 replicas: the resync compares objects, it never touches processes, and 1,000 replica
 * processes would measure the machine rather than the controller. Baseline, in the same process: reading and
 * YAML-parsing every manifest of the revision straight from git (one ls-tree, one cat-file --batch) — the least any
 * GitOps tool does to compare.
 * Usage: node dist/bench/reconcile-scale.js [--apps N] [--namespaces N] [--record]
 */

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { LocalRuntime } from "../src/runtime/local/local-runtime";
import { SyncController } from "../src/sync/controller/sync-controller";
import { machineDescription, recordResults } from "./record";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const appCount = option("--apps", 1000);
const namespaceCount = option("--namespaces", 10);
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "bench", GIT_AUTHOR_EMAIL: "bench@localhost", GIT_COMMITTER_NAME: "bench", GIT_COMMITTER_EMAIL: "bench@localhost" };

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }).trim();
}

function files(index: number): Record<string, string> {
  const name = `app-${String(index).padStart(4, "0")}`;
  const namespace = `env-${index % namespaceCount}`;
  return {
    [`apps/${name}.yaml`]: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  source: { repoURL: bench/deploy, path: envs/${name}, targetRevision: main }\n  destination: { name: local, namespace: ${namespace} }\n  syncPolicy:\n    automated: { prune: true, selfHeal: true }\n    syncOptions: [CreateNamespace=true]\n`,
    [`envs/${name}/deployment.yaml`]: `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, labels: { app: ${name} } }\nspec:\n  replicas: 0\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec:\n      containers:\n        - name: web\n          image: bench/${name}:1.0.${index}\n          command: [/bin/sleep, "3600"]\n          env: [{ name: GREETING, value: "hello ${name}" }]\n          ports: [{ name: http, containerPort: 8080 }]\n          readinessProbe: { httpGet: { path: /ready, port: http } }\n          resources: { limits: { cpu: 100m, memory: 64Mi } }\n`,
    [`envs/${name}/service.yaml`]: `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  selector: { app: ${name} }\n  ports: [{ name: http, port: 80, targetPort: http }]\n`,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Every manifest at `sha`: one `git ls-tree`, one `git cat-file --batch`, every document YAML-parsed. */
function readAllManifests(bare: string, sha: string): number {
  const listing = git(["ls-tree", "-r", sha], bare).split("\n").map((line) => line.split(/\s+/)[2]!);
  const batch = spawnSync("git", ["cat-file", "--batch"], { cwd: bare, input: `${listing.join("\n")}\n`, maxBuffer: 256 * 1024 * 1024 });
  const out = batch.stdout;
  let documents = 0;
  for (let at = 0; at < out.length;) {
    const headerEnd = out.indexOf(10, at);
    const size = Number(out.subarray(at, headerEnd).toString().split(" ")[2]);
    documents += parseAllDocuments(out.subarray(headerEnd + 1, headerEnd + 1 + size).toString()).length;
    at = headerEnd + 1 + size + 1;
  }
  return documents;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "slipway-bench-scale-"));
  const bare = join(root, "deploy.git");
  const work = join(root, "work");
  git(["init", "-q", "--bare", "-b", "main", bare], root);
  mkdirSync(work);
  git(["init", "-q", "-b", "main"], work);
  for (let index = 1; index <= appCount; index++) {
    for (const [path, text] of Object.entries(files(index))) {
      mkdirSync(join(work, path, ".."), { recursive: true });
      writeFileSync(join(work, path), text);
    }
  }
  git(["add", "-A"], work);
  git(["commit", "-qm", `${appCount} applications`], work);
  git(["push", "-q", bare, "HEAD:main"], work);
  const sha = git(["rev-parse", "HEAD"], work);

  const runtime = new LocalRuntime({ dataDir: join(root, "runtime") });
  const controller = new SyncController({ repoDir: bare, runtimes: { local: runtime }, resyncMs: 0 });
  try {
    const rssBefore = process.memoryUsage().rss;
    let started = performance.now();
    await controller.start();
    const initialMs = performance.now() - started;
    const apps = controller.applications();
    const notSynced = apps.filter((app) => app.status().sync !== "Synced" || app.status().health !== "Healthy");
    if (apps.length !== appCount || notSynced.length > 0) throw new Error(`${apps.length} apps loaded, ${notSynced.length} not Synced/Healthy: ${JSON.stringify(notSynced[0]?.status())}`);
    const records = apps.reduce((sum, app) => sum + app.syncHistory().length, 0);

    const resyncs: number[] = [];
    for (let round = 0; round < 3; round++) {
      started = performance.now();
      const statuses = await controller.resync();
      resyncs.push(performance.now() - started);
      if (statuses.some((status) => status.sync !== "Synced")) throw new Error("a resync found an app OutOfSync");
    }
    const after = apps.reduce((sum, app) => sum + app.syncHistory().length, 0);
    if (after !== records) throw new Error(`the diff-only resync synced ${after - records} app(s)`);
    const rss = process.memoryUsage().rss;
    const heap = process.memoryUsage().heapUsed;

    const baselines: number[] = [];
    let documents = 0;
    for (let round = 0; round < 3; round++) {
      started = performance.now();
      documents = readAllManifests(bare, sha);
      baselines.push(performance.now() - started);
    }
    const resync = median(resyncs);
    const baseline = median(baselines);
    const figures = [
      ["applications (Deployment + Service each)", `${appCount} in ${namespaceCount} namespaces`],
      ["initial sync of every app (render, apply, Healthy)", `${(initialMs / 1000).toFixed(1)} s`],
      ["diff-only resync, median of 3 (target < 10 s)", `${resync.toFixed(0)} ms`],
      ["RSS after the resyncs (target < 500 MB)", `${(rss / 2 ** 20).toFixed(0)} MB (heap used ${(heap / 2 ** 20).toFixed(0)} MB, RSS before start ${(rssBefore / 2 ** 20).toFixed(0)} MB)`],
      [`baseline: read + YAML-parse every manifest from git (${documents} documents), median of 3`, `${baseline.toFixed(0)} ms`],
      ["ratio resync / baseline", `${(resync / baseline).toFixed(2)}×`],
    ];
    for (const [name, value] of figures) console.log(`${name.padEnd(84)} ${value}`);
    if (process.argv.includes("--record")) recordResults("reconcile-scale", figures);
    else console.log(`\n(${machineDescription()}; pass --record to append to bench/RESULTS.md)`);
  } finally {
    await controller.stop();
    await runtime.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
