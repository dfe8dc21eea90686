/**
 * 10 simultaneous promotions of 10 services to a served env repo (git over smart HTTP, tags checked in the embedded
 * registry), half in this process and half as `slipway promote` subprocesses racing them: 10 commits, none lost, and
 * the controller, driven by the 10 push events, ends Healthy on the last one with every service on its new image.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promote } from "../../src/gitops/promote";
import type { AppSummary, ReplicaView } from "../../src/server/services/delivery";
import { assertBuilt, parseJson, slipway } from "../support/cli";
import { startTestServer, waitUntil, type TestServer, type WorkingCopy } from "../support/server";
import { buildAndPushWebImage } from "./support/delivery-env";

const services = Array.from({ length: 10 }, (_, index) => `svc${index}`);

const shopApplication = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-dev
spec:
  source:
    repoURL: http://127.0.0.1/acme/deploy.git
    path: envs/dev
    targetRevision: main
  destination:
    name: local
    namespace: dev
  syncPolicy:
    automated: { prune: true, selfHeal: true }
    syncOptions: [CreateNamespace=true]
`;

/** One cheap replica per service (a sleeping process, ready at once): what matters is which image it runs. */
function serviceDeployment(name: string, image: string): string {
  return `# ${name} in dev.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1 # one is plenty
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: ${name}
          image: ${image} # promoted by slipway
          command: ["sleep", "3600"]
`;
}

describe("10 simultaneous promotions through the server", () => {
  let t: TestServer;
  let work: WorkingCopy;
  let storeDir: string;
  let host: string;
  let start: string;

  const shop = async (): Promise<AppSummary | undefined> => {
    const response = await t.admin.api<AppSummary>("GET", "/apps/shop-dev");
    return response.status === 200 ? response.body : undefined;
  };
  const images = async (): Promise<string[]> => (await t.admin.api<ReplicaView[]>("GET", "/apps/shop-dev/replicas")).body.filter((replica) => replica.ready).map((replica) => replica.image).sort();
  const imageOf = (name: string, version: string) => `${host}/acme/shop/${name}:v${version}`;

  beforeAll(async () => {
    assertBuilt();
    t = await startTestServer({ delivery: { resyncMs: 0, driftCheckMs: 0 } });
    host = t.url.replace(/^http:\/\//, "");
    await t.createRepo("acme/deploy");
    await t.createRepo("acme/shop");
    storeDir = await mkdtemp(join(tmpdir(), "slipway-e2e-shop-images-"));
    for (const name of services) await buildAndPushWebImage({ host, token: t.admin.token }, storeDir, `acme/shop/${name}`, "1.0.0", { VERSION: "1.0.0" }, ["v1.0.0", "v2.0.0"]);
    work = await t.workingCopy("acme/deploy", t.admin.token);
    const files: Record<string, string> = { "apps/shop-dev.yaml": shopApplication };
    for (const name of services) files[`envs/dev/${name}/deployment.yaml`] = serviceDeployment(name, imageOf(name, "1.0.0"));
    start = await work.commit("shop v1.0.0 in dev", files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    await waitUntil("shop-dev Healthy on v1.0.0", async () => {
      const app = await shop();
      return app?.health === "Healthy" && app.syncedRevision === start && (await images()).length === 10 ? app : undefined;
    }, 60_000, 100);
  }, 90_000);

  afterAll(async () => {
    await t?.stop();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
  });

  it("lands 10 commits, loses none, and the controller converges on the last one", async () => {
    const started = Date.now();
    const inProcess = (name: string) =>
      promote({ envRepo: t.gitUrl("acme/deploy", t.admin.token), service: name, version: "2.0.0", env: "dev", image: `${host}/acme/shop/${name}`, registry: { credentials: { username: "admin", password: t.admin.token } }, actor: "mona", runId: name });
    const byCli = async (name: string): Promise<{ commit?: string; attempts: number }> => {
      const result = await slipway(["promote", name, "2.0.0", "--to", "dev", "--env-repo", t.gitUrl("acme/deploy", t.admin.token), "--image", `${host}/acme/shop/${name}`, "--creds", `admin:${t.admin.token}`, "--run-id", name, "--json"], t.root, { HOME: t.home });
      expect(result.code, result.stderr).toBe(0);
      return parseJson<{ commit?: string; attempts: number }>(result);
    };
    const results = await Promise.all(services.map((name, index) => (index % 2 === 0 ? inProcess(name) : byCli(name))));
    const promotedMs = Date.now() - started;

    const commits = results.map((result) => result.commit);
    expect(new Set(commits).size).toBe(10);
    await work.ok("fetch", "-q", "origin", "main");
    const log = (await work.ok("rev-list", "--first-parent", `${start}..origin/main`)).split("\n");
    expect(log).toHaveLength(10);
    expect(new Set(log)).toEqual(new Set(commits));
    const touched = (await work.ok("log", "--format=", "--name-only", `${start}..origin/main`)).split("\n").filter(Boolean).sort();
    expect(touched).toEqual(services.map((name) => `envs/dev/${name}/deployment.yaml`).sort());

    const head = await work.ok("rev-parse", "origin/main");
    const app = await waitUntil("shop-dev Healthy on the last promotion with every service on v2.0.0", async () => {
      const status = await shop();
      if (status?.health !== "Healthy" || status.sync !== "Synced" || status.syncedRevision !== head || status.operation !== "Idle") return undefined;
      return JSON.stringify(await images()) === JSON.stringify(services.map((name) => imageOf(name, "2.0.0")).sort()) ? status : undefined;
    }, 60_000, 100);
    const convergedMs = Date.now() - started;
    console.log(`10 concurrent promotions over HTTP (5 in process, 5 CLI): all pushed in ${promotedMs} ms (attempts ${results.map((result) => result.attempts).join(",")}), shop-dev Healthy on the last in ${convergedMs} ms`);
    expect(app.lastSync).toMatchObject({ result: "Succeeded" });
  }, 120_000);
});
