/**
 * `slipway up` killed with SIGKILL in the middle of a rollout (v1 → v2 of 3 replicas, v2 slow to become ready),
 * then started again on the same data directory: the replicas outlived it, the new server adopts the live ones,
 * converges to v2 with exactly 3 replicas, and no process of the app is left over (checked in /proc by pid and
 * by a marker in the environment).
 */

import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { isSameProcessRunning, readProcessEntrySync } from "../../src/workflow/executors/host/proc-table";
import { appServer } from "../runtime/support";
import { assertBuilt, killIfRunning, startSlipway } from "../support/cli";
import { apiCaller, gitUrl, waitUntil, WorkingCopy, type ApiCaller } from "../support/server";

const marker = randomUUID();
const dir = "envs/dev/web";

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web, namespace: slipway }
spec:
  project: default
  source: { repoURL: http://127.0.0.1/acme/deploy.git, path: ${dir}, targetRevision: main }
  destination: { name: local, namespace: dev }
  syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [CreateNamespace=true] }
`;

function deployment(version: string, startDelayMs: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 3
  progressDeadlineSeconds: 300
  selector: { matchLabels: { app: web } }
  strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: web
          image: example/web:${version}
          command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(appServer)}]
          env:
            - { name: VERSION, value: ${version} }
            - { name: START_DELAY_MS, value: "${startDelayMs}" }
            - { name: STRAY_MARKER, value: ${marker} }
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 1, failureThreshold: 1 }
`;
}

const service = `apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ name: http, port: 80, targetPort: http }] }
`;

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  rules:
    - http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }] }
`;

/** Every live (non-zombie) process carrying this test's marker in its environment. */
async function markedProcesses(): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, "utf8").catch(() => "");
    if (!environ.split("\0").includes(`STRAY_MARKER=${marker}`)) continue;
    const entry = readProcessEntrySync(Number(name));
    if (entry && entry.state !== "Z" && entry.state !== "X") found.push(entry.pid);
  }
  return found.sort((a, b) => a - b);
}

interface Server {
  url: string;
  api: ApiCaller;
  pid: number;
  kill(): void;
  exited: Promise<unknown>;
}

let root: string;
let home: string;
let dataDir: string;
let ingressPort: number;
const children: ReturnType<typeof startSlipway>[] = [];
/** Both servers' stderr, shown when the test fails. */
let serverLog = "";
let lastServer: Server | undefined;

async function up(): Promise<Server> {
  const child = startSlipway(["up", "--data", dataDir, "--port", "0", "--ingress-port", `dev=${ingressPort}`], root, { HOME: home });
  children.push(child);
  let stderr = "";
  child.stdout?.resume();
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway up did not start:\n${stderr}`)), 20_000);
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      serverLog += chunk;
      const match = /slipway is up at (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  lastServer = { url, api: apiCaller(url, token), pid: child.pid as number, kill: () => killIfRunning(child), exited };
  return lastServer;
}

async function replicas(server: Server): Promise<ReplicaView[]> {
  const response = await server.api<ReplicaView[]>("GET", "/apps/web/replicas");
  return response.status === 200 ? response.body : [];
}

beforeAll(async () => {
  assertBuilt();
  root = await mkdtemp(join(tmpdir(), "slipway-restart-"));
  home = join(root, "home");
  dataDir = join(root, "data");
  await mkdir(home);
  ingressPort = await freeLoopbackPort();
});

afterAll(async () => {
  for (const child of children) killIfRunning(child);
  for (const pid of await markedProcesses()) process.kill(pid, "SIGKILL");
  await rm(root, { recursive: true, force: true });
});

describe("the server killed with SIGKILL mid-rollout", () => {
  it("adopts the live replicas after a restart and converges to v2 with exactly the desired replicas", async () => {
    await scenario().catch(async (error: unknown) => {
      const app = await lastServer?.api("GET", "/apps/web").catch(() => undefined);
      const pods = lastServer ? await replicas(lastServer).catch(() => []) : [];
      throw new Error(`${String(error)}\n--- app ---\n${JSON.stringify(app?.body)}\n${JSON.stringify(pods)}\n--- server stderr ---\n${serverLog}`);
    });
  }, 240_000);
});

async function scenario(): Promise<void> {
  {
    const first = await up();
    const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
    expect((await first.api("POST", "/repos", { name: "acme-deploy" })).status).toBe(201);
    const work = await WorkingCopy.create(join(root, "work"), gitUrl(first.url, "admin/acme-deploy", token), home);
    await work.commit("web v1", { "apps/web.yaml": application, [`${dir}/deployment.yaml`]: deployment("v1", 0), [`${dir}/service.yaml`]: service, [`${dir}/ingress.yaml`]: ingress });
    await work.ok("push", "-q", "origin", "main");
    const v1 = await waitUntil("3 ready v1 replicas", async () => {
      const pods = await replicas(first);
      return pods.length === 3 && pods.every((pod) => pod.ready) ? pods : undefined;
    }, 60_000, 100);

    const v2Sha = await work.commit("web v2 (slow to start)", { [`${dir}/deployment.yaml`]: deployment("v2", 2500) });
    await work.ok("push", "-q", "origin", "main");
    const midway = await waitUntil("a v2 replica started", async () => {
      const pods = await replicas(first);
      return pods.some((pod) => pod.revision !== v1[0].revision && pod.pid !== undefined) ? pods : undefined;
    }, 30_000, 50);
    expect(midway.filter((pod) => pod.revision !== v1[0].revision).every((pod) => !pod.ready)).toBe(true);
    const startedV2 = midway.filter((pod) => pod.revision !== v1[0].revision && pod.pid !== undefined).map((pod) => pod.pid as number);
    const starts = new Map(midway.filter((pod) => pod.pid !== undefined).map((pod) => [pod.pid as number, readProcessEntrySync(pod.pid as number)?.startTime ?? -1]));

    process.kill(first.pid, "SIGKILL");
    await first.exited;
    // The replicas are not the server's children in spirit: they outlive it.
    for (const pod of v1) expect(isSameProcessRunning(pod.pid as number, starts.get(pod.pid as number) ?? -1)).toBe(true);

    const second = await up();
    const final = await waitUntil("Healthy at v2 with 3 ready v2 replicas", async () => {
      const app = (await second.api<AppSummary>("GET", "/apps/web")).body;
      const pods = await replicas(second);
      const done = app?.syncedRevision === v2Sha && app.health === "Healthy" && pods.length === 3 && pods.every((pod) => pod.ready && pod.revision !== v1[0].revision);
      return done ? pods : undefined;
    }, 90_000, 200);

    // v2 replicas that were starting when the server died were adopted, not replaced.
    const finalPids = final.map((pod) => pod.pid as number);
    expect(startedV2.some((pid) => finalPids.includes(pid))).toBe(true);
    for (const pod of v1) expect(isSameProcessRunning(pod.pid as number, starts.get(pod.pid as number) ?? -1)).toBe(false);
    // Exactly the desired replicas run: nothing else carries the app's marker.
    await waitUntil("no stray replica process", async () => ((await markedProcesses()).join(",") === [...finalPids].sort((a, b) => a - b).join(",") ? true : undefined), 15_000, 100);
    const body = await (await fetch(`http://127.0.0.1:${ingressPort}/`)).text();
    expect(body.split(" ")[0]).toBe("v2");

    // The logs of an adopted replica are still there and readable through the API.
    const logs = await fetch(`${second.url}/api/v1/namespaces/dev/logs?target=deploy/web`, { headers: { authorization: `Bearer ${token}` } });
    expect(logs.status).toBe(200);
    expect(await logs.text()).toMatch(/listening on \d+ version v2/);

    // A graceful stop ends every replica.
    process.kill(second.pid, "SIGTERM");
    await second.exited;
    expect(await markedProcesses()).toEqual([]);
  }
}
