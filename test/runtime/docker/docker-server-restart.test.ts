/**
 * `slipway up --runtime docker` end to end: images pulled by the engine from the server's own registry, an
 * Application naming no runtime (Argo CD's in-cluster destination.server) runs as containers; the server killed with SIGKILL mid-rollout is started again on
 * the same data directory, adopts the live containers and converges to v2 with exactly 3 containers, and a graceful
 * stop removes them all.
 */

import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOwner } from "../../../src/runtime/docker/docker-runtime";
import { freeLoopbackPort } from "../../../src/runtime/local/ports";
import type { AppSummary, ReplicaView } from "../../../src/server/services/delivery";
import { assertBuilt, killIfRunning, startSlipway } from "../../support/cli";
import { apiCaller, gitUrl, waitUntil, WorkingCopy, type ApiCaller } from "../../support/server";
import { dockerRunnable, startDockerFixture, type DockerFixture } from "./engine-fixture";

const dir = "envs/dev/web";

const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: web, namespace: slipway }
spec:
  project: default
  source: { repoURL: http://127.0.0.1/admin/deploy.git, path: ${dir}, targetRevision: main }
  destination: { server: "https://kubernetes.default.svc", namespace: dev }
  syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [CreateNamespace=true] }
`;

function deployment(image: string, fixture: DockerFixture, version: string, startDelayMs: number): string {
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
          image: ${image}:${version}
          command: [${fixture.node}, ${fixture.appScript}]
          env:
            - { name: VERSION, value: ${version} }
            - { name: START_DELAY_MS, value: "${startDelayMs}" }
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

interface Server {
  url: string;
  api: ApiCaller;
  pid: number;
  exited: Promise<unknown>;
}

describe.skipIf(!dockerRunnable())("slipway up --runtime docker, killed with SIGKILL mid-rollout", () => {
  let fixture: DockerFixture;
  let root: string;
  let home: string;
  let dataDir: string;
  let port: number;
  let ingressPort: number;
  let serverLog = "";
  const children: ReturnType<typeof startSlipway>[] = [];

  const up = async (): Promise<Server> => {
    const child = startSlipway(["up", "--runtime", "docker", "--data", dataDir, "--port", String(port), "--ingress-port", `dev=${ingressPort}`], root, { HOME: home });
    children.push(child);
    child.stdout?.resume();
    const exited = new Promise((resolve) => child.once("exit", resolve));
    let stderr = "";
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
    return { url, api: apiCaller(url, token), pid: child.pid as number, exited };
  };
  const replicas = async (server: Server): Promise<ReplicaView[]> => {
    const response = await server.api<ReplicaView[]>("GET", "/apps/web/replicas");
    return response.status === 200 ? response.body : [];
  };
  /** This server's containers (its owner label: runtime name and data directory). */
  const containers = async (...filters: string[]): Promise<string[]> =>
    (await fixture.docker(["ps", "-aq", "--no-trunc", "--filter", `label=slipway.dev/owner=${defaultOwner("docker", join(dataDir, "runtime-docker"))}`, ...filters.flatMap((filter) => ["--filter", `label=${filter}`])]))
      .split("\n")
      .filter(Boolean)
      .sort();

  beforeAll(async () => {
    assertBuilt();
    fixture = await startDockerFixture();
    root = await mkdtemp(join(tmpdir(), "slipway-docker-up-"));
    home = join(root, "home");
    dataDir = join(root, "data");
    await mkdir(home);
    port = await freeLoopbackPort();
    ingressPort = await freeLoopbackPort();
  }, 300_000);

  afterAll(async () => {
    for (const child of children) killIfRunning(child);
    for (const id of await containers().catch(() => [])) await fixture.docker(["rm", "-f", id]).catch(() => undefined);
    await fixture?.stop();
    await rm(root, { recursive: true, force: true });
  }, 120_000);

  it("adopts the live containers after a restart and converges to v2 with exactly 3 of them", async () => {
    await scenario().catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- server stderr ---\n${serverLog}`);
    });
  }, 300_000);

  async function scenario(): Promise<void> {
    const first = await up();
    const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
    const image = await fixture.pushApp(new URL(first.url).host, { username: "admin", password: token }, "admin/app-server");
    expect((await first.api("POST", "/repos", { name: "deploy" })).status).toBe(201);
    const work = await WorkingCopy.create(join(root, "work"), gitUrl(first.url, "admin/deploy", token), home);
    await work.commit("web v1", { "apps/web.yaml": application, [`${dir}/deployment.yaml`]: deployment(image, fixture, "v1", 0), [`${dir}/service.yaml`]: service, [`${dir}/ingress.yaml`]: ingress });
    await work.ok("push", "-q", "origin", "main");
    const v1 = await waitUntil("3 ready v1 containers", async () => {
      const pods = await replicas(first);
      return pods.length === 3 && pods.every((pod) => pod.ready && pod.containerId) ? pods : undefined;
    }, 90_000, 100);
    expect((await first.api<AppSummary>("GET", "/apps/web")).body.runtime).toBe("docker");
    expect(await containers("slipway.dev/application=web", "slipway.dev/workload=web", "slipway.dev/namespace=dev")).toEqual(v1.map((pod) => pod.containerId).sort());

    const v2Sha = await work.commit("web v2 (slow to start)", { [`${dir}/deployment.yaml`]: deployment(image, fixture, "v2", 2500) });
    await work.ok("push", "-q", "origin", "main");
    const midway = await waitUntil("a v2 container started", async () => {
      const pods = await replicas(first);
      return pods.some((pod) => pod.revision !== v1[0].revision && pod.containerId) ? pods : undefined;
    }, 30_000, 50);
    const startedV2 = midway.filter((pod) => pod.revision !== v1[0].revision && pod.containerId).map((pod) => pod.containerId as string);
    process.kill(first.pid, "SIGKILL");
    await first.exited;
    // The containers outlive the server.
    expect(await containers()).toEqual(expect.arrayContaining([...v1.map((pod) => pod.containerId as string), ...startedV2]));

    const second = await up();
    const final = await waitUntil("Healthy at v2 with 3 ready v2 containers", async () => {
      const app = (await second.api<AppSummary>("GET", "/apps/web")).body;
      const pods = await replicas(second);
      const done = app?.syncedRevision === v2Sha && app.health === "Healthy" && pods.length === 3 && pods.every((pod) => pod.ready && pod.revision !== v1[0].revision);
      return done ? pods : undefined;
    }, 120_000, 200);
    const finalIds = final.map((pod) => pod.containerId as string).sort();
    // A v2 container that was starting when the server died was adopted, not replaced; nothing else is left.
    expect(startedV2.some((id) => finalIds.includes(id))).toBe(true);
    await waitUntil("exactly the 3 v2 containers", async () => ((await containers()).join() === finalIds.join() ? true : undefined), 20_000, 200);
    expect((await (await fetch(`http://127.0.0.1:${ingressPort}/`)).text()).split(" ")[0]).toBe("v2");
    const logs = await fetch(`${second.url}/api/v1/namespaces/dev/logs?target=deploy/web`, { headers: { authorization: `Bearer ${token}` } });
    expect(await logs.text()).toMatch(/listening on \d+ version v2/);

    process.kill(second.pid, "SIGTERM");
    await second.exited;
    expect(await containers()).toEqual([]);
  }
});
