/**
 * The server stopped while a sync waits for a revision that never becomes ready (progressDeadlineSeconds left at 600):
 * the stop is prompt, the sync is recorded as interrupted (no rollback, no revert commit, no failure event or failed
 * deployment), the next start on the same data directory carries on with that revision, and a fixing commit pushed
 * meanwhile supersedes the wait and becomes Healthy. No replica is left running after the last stop (checked by pid).
 */

import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import { startServer, type RunningServer } from "../../src/server/up";
import type { SyncRecord } from "../../src/sync/controller/types";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { appServer } from "../runtime/support";
import { apiCaller, gitUrl, startTestServer, waitUntil, type ApiCaller, type TestServer, type WorkingCopy } from "../support/server";

type AppDetails = AppSummary & { history: SyncRecord[] };

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

/** No progressDeadlineSeconds: the default 600 s is what a never-ready revision would hold a waiting stop for. */
function deployment(version: string, neverReady: boolean): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
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
          image: example/web:${version}
          command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(appServer)}]
          env:
            - { name: VERSION, value: ${version} }
            - { name: NEVER_READY, value: "${neverReady ? "1" : "0"}" }
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("stopping the server while a sync waits for a revision that never becomes ready", () => {
  let t: TestServer;
  let second: RunningServer | undefined;
  let work: WorkingCopy;
  let previousHome: string | undefined;
  const pids = new Set<number>();
  const delivery = { ingressPorts: {} as Record<string, number>, resyncMs: 0, driftCheckMs: 0 };

  const details = async (api: ApiCaller): Promise<AppDetails | undefined> => {
    const response = await api<AppDetails>("GET", "/apps/web");
    return response.status === 200 ? response.body : undefined;
  };
  const replicas = async (api: ApiCaller): Promise<ReplicaView[]> => {
    const response = await api<ReplicaView[]>("GET", "/apps/web/replicas");
    for (const replica of response.status === 200 ? response.body : []) if (replica.pid) pids.add(replica.pid);
    return response.status === 200 ? response.body : [];
  };
  const remoteHead = async (): Promise<string> => (await work.ok("ls-remote", "origin", "refs/heads/main")).split(/\s/)[0];
  const push = async (label: string, files: Record<string, string>): Promise<string> => {
    const sha = await work.commit(label, files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    return sha;
  };
  /** Polls the app and its replicas until `done` holds; a timeout says what was seen last. */
  const appUntil = async (api: ApiCaller, what: string, done: (app: AppDetails, pods: ReplicaView[]) => boolean): Promise<AppDetails> => {
    let seen: unknown;
    return waitUntil(what, async () => {
      const app = await details(api);
      const pods = await replicas(api);
      seen = { app, pods };
      return app && done(app, pods) ? app : undefined;
    }, 60_000, 100).catch((error: unknown) => {
      throw new Error(`${String(error)}; last seen: ${JSON.stringify(seen)}`);
    });
  };
  /** The app Progressing on `sha` with a v2 replica started and not ready: the sync is waiting for health. */
  const waitingOn = (api: ApiCaller, sha: string) =>
    appUntil(api, `a sync of ${sha.slice(0, 7)} waiting for health`, (app, pods) => app.operation === "Syncing" && app.health === "Progressing" && app.targetRevision === sha && pods.some((pod) => pod.image === "example/web:v2" && !pod.ready));
  const healthyAt = (api: ApiCaller, sha: string) =>
    appUntil(api, `web Healthy at ${sha.slice(0, 7)}`, (app) => app.health === "Healthy" && app.syncedRevision === sha && app.operation === "Idle");

  beforeAll(async () => {
    previousHome = process.env.HOME;
    delivery.ingressPorts = { dev: await freeLoopbackPort() };
    t = await startTestServer({ delivery });
    await t.createRepo("acme/deploy");
    work = await t.workingCopy("acme/deploy", t.admin.token);
  }, 60_000);

  afterAll(async () => {
    await second?.close().catch(() => undefined);
    await t?.server.close().catch(() => undefined);
    for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
    process.env.HOME = previousHome;
    if (t) await rm(t.root, { recursive: true, force: true });
  });

  it("stops promptly, records the sync as interrupted without rolling back, and carries on after the next start", async () => {
    const v1 = await push("web v1", { "apps/web.yaml": application, [`${dir}/deployment.yaml`]: deployment("v1", false), [`${dir}/service.yaml`]: service, [`${dir}/ingress.yaml`]: ingress });
    await healthyAt(t.admin.api, v1);

    const v2 = await push("web v2 (never ready)", { [`${dir}/deployment.yaml`]: deployment("v2", true) });
    const waiting = await waitingOn(t.admin.api, v2);
    expect(waiting.history[0]).toMatchObject({ revision: v2 });
    expect(waiting.history[0].result).toBeUndefined();

    const stopStarted = Date.now();
    await t.server.close();
    const stopMs = Date.now() - stopStarted;
    console.log(`server stop with a sync waiting on a never-ready revision took ${stopMs} ms`);
    for (const pid of pids) expect(alive(pid), `replica pid ${pid} after the stop`).toBe(false);

    second = await startServer({ dataDir: t.dataDir, port: 0, log: () => undefined, delivery });
    const api = apiCaller(second.url, t.admin.token);
    await work.ok("remote", "set-url", "origin", gitUrl(second.url, "acme/deploy", t.admin.token));
    // No revert commit: the env repo still ends at v2.
    expect(await remoteHead()).toBe(v2);

    const resumed = await waitingOn(api, v2);
    const interrupted = resumed.history.find((record) => record.id === waiting.history[0].id);
    expect(interrupted).toMatchObject({ revision: v2, result: "Failed", message: "interrupted: slipway stopped during this sync" });
    expect(interrupted?.rolledBackTo).toBeUndefined();
    expect(interrupted?.revertCommit).toBeUndefined();
    const events = await second.context.store.events.list({ subject: "app:web" });
    expect(events.map((event) => event.type)).not.toContain("rollback");
    expect(events.filter((event) => event.type === "sync.failed")).toEqual([]);
    const deployments = await second.context.store.syncs.listDeployments({ repo: "acme/deploy", app: "web" });
    expect(deployments.filter((deployment) => deployment.revision === v2)).toEqual([]);

    const v3 = await push("web v3 (fixed)", { [`${dir}/deployment.yaml`]: deployment("v3", false) });
    const healthy = await healthyAt(api, v3);
    expect(await remoteHead()).toBe(v3);
    const body = await (await fetch(`http://127.0.0.1:${delivery.ingressPorts.dev}/`)).text();
    expect(body.split(" ")[0]).toBe("v3");
    expect(healthy.history.find((record) => record.revision === v2 && record.id > waiting.history[0].id)).toMatchObject({ result: "Failed", message: expect.stringMatching(/^superseded: /) });
    expect(healthy.history.every((record) => record.result !== "RolledBack")).toBe(true);
    await replicas(api);

    const finalStop = Date.now();
    await second.close();
    second = undefined;
    console.log(`second server stop took ${Date.now() - finalStop} ms`);
    for (const pid of pids) expect(alive(pid), `replica pid ${pid} after the last stop`).toBe(false);
  }, 180_000);
});
