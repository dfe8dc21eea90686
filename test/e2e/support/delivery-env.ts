/** End-to-end delivery fixtures: a `slipway up` subprocess with a dev ingress, the web images built by slipway's builder and pushed to its registry, the env repo's manifests, and autocannon load with per-version counts. */

import autocannon from "autocannon";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildImage } from "../../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../../src/oci/client/image-transfer";
import { RegistryClient } from "../../../src/oci/client/registry-client";
import { OciStore } from "../../../src/oci/oci-store";
import { freeLoopbackPort } from "../../../src/runtime/local/ports";
import { startSlipway } from "../../support/cli";
import { apiCaller, type ApiCaller } from "../../support/server";

export const imageApp = fileURLToPath(new URL("../fixtures/image-app.mjs", import.meta.url));
const imageContext = fileURLToPath(new URL("../fixtures/web-image", import.meta.url));

export interface E2eServer {
  url: string;
  /** host:port, the registry's address in image references. */
  host: string;
  token: string;
  api: ApiCaller;
  ingressUrl: string;
  root: string;
  home: string;
  stderr(): string;
  /** SIGTERM and wait for the exit (the server closes its runtime: no replica left). */
  stop(): Promise<void>;
}

/** `slipway up` on a fresh data dir with the dev ingress on a free 127.0.0.1 port. */
export async function startE2eServer(): Promise<E2eServer> {
  const root = await mkdtemp(join(tmpdir(), "slipway-e2e-"));
  const home = join(root, "home");
  const dataDir = join(root, "data");
  const ingressPort = await freeLoopbackPort();
  const child = startSlipway(["up", "--data", dataDir, "--port", "0", "--ingress-port", `dev=${ingressPort}`], root, { HOME: home });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway up did not start within 30 s:\n${stderr}`)), 30_000);
    child.stderr?.on("data", () => {
      const match = /slipway is up at (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(() => reject(new Error(`slipway up exited before it was up:\n${stderr}`)));
  });
  const token = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  return {
    url,
    host: url.replace(/^http:\/\//, ""),
    token,
    api: apiCaller(url, token),
    ingressUrl: `http://127.0.0.1:${ingressPort}`,
    root,
    home,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(killer);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Builds web:vVERSION from test/e2e/fixtures/web-image with slipway's daemonless builder and pushes it to the server's registry as `repository` under `tags` (default vVERSION). */
export async function buildAndPushWebImage(server: { host: string; token: string }, storeDir: string, repository: string, version: string, env: Record<string, string>, tags = [`v${version}`]): Promise<string> {
  const store = await OciStore.open(storeDir);
  const tag = `v${version}`;
  await buildImage(store, { contextDir: imageContext, tag: `web:${tag}`, base: "scratch", entrypoint: ["node", "/app/server.mjs"], env, version, sourceDateEpoch: 1 });
  const client = new RegistryClient({ registry: server.host, credentials: { username: "admin", password: server.token } });
  const pushed = await pushImageFromStore(store, "web", tag, client, repository, tags);
  return pushed.digest;
}

export const webApplication = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: slipway
spec:
  project: default
  source:
    repoURL: http://127.0.0.1/acme/deploy.git
    path: envs/dev/web
    targetRevision: main
  destination:
    name: local
    namespace: dev
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`;

/** The web Deployment at `image`: 3 replicas, surge 1, never below 3 ready; the launcher runs what the image says. */
export function webDeployment(image: string, serverUrl: string, progressDeadlineSeconds: number): string {
  return `# The web service in dev (image written by slipway promote).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 3
  progressDeadlineSeconds: ${progressDeadlineSeconds}
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: web
          image: ${image} # promoted by slipway
          command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(imageApp)}]
          env:
            - name: SLIPWAY_URL
              value: ${serverUrl}
            - name: SLIPWAY_APP
              value: web
            - name: SLIPWAY_TOKEN
              valueFrom:
                secretKeyRef: { name: web-reader, key: token }
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet: { path: /ready, port: http }
            periodSeconds: 1
            timeoutSeconds: 2
            failureThreshold: 2
`;
}

export function readerSecret(token: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: web-reader
type: Opaque
data:
  token: ${Buffer.from(token).toString("base64")}
`;
}

export const webService = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
`;

export const webIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`;

export interface LoadSummary {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  max: number;
  /** 2xx responses by the version in their body. */
  versions: Record<string, number>;
  /** The first few non-2xx bodies, for the failure message. */
  failures: string[];
}

/** Constant autocannon traffic until stop(): `connections` keep-alive connections sending `rate` requests a second in all (a fixed rate, so a loaded machine is not saturated by the load itself). */
export function startAutocannon(url: string, connections: number, rate: number): { stop(): Promise<LoadSummary> } {
  const versions: Record<string, number> = {};
  const failures: string[] = [];
  let finished: (result: autocannon.Result) => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url,
      connections,
      overallRate: rate,
      duration: 600,
      timeout: 10,
      requests: [
        {
          method: "GET",
          path: "/",
          onResponse: (status: number, body: string) => {
            if (status >= 200 && status < 300) {
              const version = body.split(" ")[0] ?? "";
              versions[version] = (versions[version] ?? 0) + 1;
            } else if (failures.length < 10) failures.push(`${status}: ${body.trim()}`);
          },
        },
      ],
    },
    (error, result) => (error ? failed(error) : finished(result)),
  );
  return {
    async stop() {
      instance.stop();
      const result = await done;
      return {
        requests: result.requests.total,
        ok: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        p50: result.latency.p50,
        p99: result.latency.p99,
        max: result.latency.max,
        versions,
        failures,
      };
    },
  };
}

export function describeLoad(phase: string, load: LoadSummary): string {
  return `${phase}: ${load.requests} requests (${load.ok} 2xx, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts), latency p50 ${load.p50} ms p99 ${load.p99} ms max ${load.max} ms, by version ${JSON.stringify(load.versions)}`;
}
