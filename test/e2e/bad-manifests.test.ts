/**
 * Bad manifests pushed to a served env repo fail the sync with a precise file:line message and touch nothing that runs:
 * unknown kind, missing image, invalid YAML, port clashes. The running replicas keep their pids; fixing git syncs again.
 */

import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import type { AppSummary, ReplicaView, ResourceView } from "../../src/server/services/delivery";
import type { SyncRecord } from "../../src/sync/controller/types";
import { startTestServer, waitUntil, type TestServer, type WorkingCopy } from "../support/server";
import { application, webDeployment, webIngress, webService } from "../sync/controller/harness";

type AppDetails = AppSummary & { history: SyncRecord[] };

const dir = "envs/dev/web";
const good = webDeployment({ version: "v1", replicas: 2 });

const cronJob = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: \"0 3 * * *\"\n";
const sidecarOnSamePort = good.replace(
  /(\n {6}containers:\n)/,
  `$1        - name: sidecar\n          image: example/sidecar:v1\n          command: ["sleep", "1000"]\n          ports:\n            - containerPort: 8080\n`,
);
const serviceTwicePort80 = webService.replace("      targetPort: http\n", "      targetPort: http\n    - name: admin\n      port: 80\n      targetPort: http\n");

const cases: { name: string; files: Record<string, string>; message: RegExp }[] = [
  { name: "an unknown kind", files: { [`${dir}/cron.yaml`]: cronJob }, message: /envs\/dev\/web\/cron\.yaml:2: kind "CronJob" is not supported/ },
  { name: "a missing image", files: { [`${dir}/deployment.yaml`]: good.replace(/ {10}image: .*\n/, "") }, message: /envs\/dev\/web\/deployment\.yaml:\d+: spec\.template\.spec\.containers\[0\]\.image is required/ },
  { name: "invalid YAML", files: { [`${dir}/service.yaml`]: webService.replace("  selector:\n", "  selector: [app\n") }, message: /envs\/dev\/web\/service\.yaml:\d+: invalid YAML: / },
  { name: "a port clash between two containers of a Deployment", files: { [`${dir}/deployment.yaml`]: sidecarOnSamePort }, message: /envs\/dev\/web\/deployment\.yaml:\d+: spec\.template\.spec\.containers\[1\]\.ports\[0\]\.containerPort 8080 clashes with a port of container "sidecar"/ },
  { name: "a port clash between two ports of a Service", files: { [`${dir}/service.yaml`]: serviceTwicePort80 }, message: /envs\/dev\/web\/service\.yaml:\d+: spec\.ports\[1\]\.port 80 is already a port of this Service/ },
  { name: "two Services claiming one name", files: { [`${dir}/service-copy.yaml`]: webService }, message: /envs\/dev\/web\/service\.yaml:1: duplicate Service dev\/web \(first defined at envs\/dev\/web\/service-copy\.yaml:1\)/ },
];

describe("bad manifests on a served env repo", () => {
  let t: TestServer;
  let work: WorkingCopy;
  let ingress: string;
  let pids: number[] = [];
  let blocker: Server;
  let stagingIngressPort = 0;
  const messages: string[] = [];

  const app = async (): Promise<AppDetails> => {
    const response = await t.admin.api<AppDetails>("GET", "/apps/web");
    if (response.status !== 200) throw new Error(`GET /apps/web: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const livePids = async (): Promise<number[]> => (await t.admin.api<ReplicaView[]>("GET", "/apps/web/replicas")).body.map((replica) => replica.pid ?? 0).sort();
  const push = async (message: string, files: Record<string, string>): Promise<string> => {
    const sha = await work.commit(message, files);
    await work.ok("push", "-q", "origin", "HEAD:main");
    return sha;
  };
  const healthyAt = (sha: string) =>
    waitUntil(`web Synced and Healthy at ${sha.slice(0, 7)}`, async () => {
      const status = await app().catch(() => undefined);
      return status?.health === "Healthy" && status.sync === "Synced" && status.syncedRevision === sha && status.operation === "Idle" ? status : undefined;
    }, 60_000, 100);
  const served = async (): Promise<string> => (await (await fetch(`${ingress}/`)).text()).split(" ")[0] ?? "";

  beforeAll(async () => {
    const port = await freeLoopbackPort();
    ingress = `http://127.0.0.1:${port}`;
    // Staging's ingress port is held by another program on this machine (a clash slipway must report, not crash on).
    const stagingPort = await freeLoopbackPort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(stagingPort, "127.0.0.1", resolve));
    stagingIngressPort = stagingPort;
    t = await startTestServer({ delivery: { ingressPorts: { dev: port, staging: stagingPort }, resyncMs: 0, driftCheckMs: 0 } });
    await t.createRepo("acme/deploy");
    work = await t.workingCopy("acme/deploy", t.admin.token);
    const sha = await push("web v1", {
      "apps/web.yaml": application.replace("name: web-dev", "name: web"),
      [`${dir}/deployment.yaml`]: good,
      [`${dir}/service.yaml`]: webService,
      [`${dir}/ingress.yaml`]: webIngress,
    });
    await healthyAt(sha);
    pids = await livePids();
    expect(pids).toHaveLength(2);
  }, 60_000);

  afterAll(async () => {
    console.log(`[bad manifests] sync failures as recorded:\n  ${messages.join("\n  ")}`);
    await t?.stop();
    await new Promise((resolve) => blocker?.close(resolve));
  });

  it.each(cases)("fails the sync on $name with a precise message and changes nothing that runs", async ({ name, files, message }) => {
    const bad = await push(`bad: ${name}`, files);
    const record = await waitUntil(`the failed sync of ${bad.slice(0, 7)}`, async () => (await app()).history.find((entry) => entry.revision === bad && entry.result !== undefined), 30_000, 100);
    messages.push(`${name}: ${record.message ?? ""}`);
    expect(record).toMatchObject({ result: "Failed", trigger: { kind: "push" }, applied: [], pruned: [] });
    expect(record.message).toMatch(message);
    expect(await livePids()).toEqual(pids);
    expect(await app()).toMatchObject({ health: "Healthy", syncedRevision: expect.not.stringMatching(bad) });
    expect(await served()).toBe("v1");

    // Reverted in git: synced again with nothing to change for the runtime.
    await work.ok("revert", "--no-edit", "HEAD");
    await work.ok("push", "-q", "origin", "HEAD:main");
    const fixed = await work.ok("rev-parse", "HEAD");
    await healthyAt(fixed);
    expect((await app()).history[0]).toMatchObject({ revision: fixed, result: "Succeeded", applied: [] });
    expect(await livePids()).toEqual(pids);
  }, 60_000);

  it("fails a staging app whose ingress port is taken by another program, applying nothing in staging and leaving dev running", async () => {
    const staging = await push("web in staging (its ingress port is taken)", {
      "apps/web-staging.yaml": application.replace("name: web-dev", "name: web-staging").replace("path: envs/dev/web", "path: envs/staging/web").replace("namespace: dev", "namespace: staging"),
      "envs/staging/web/deployment.yaml": good,
      "envs/staging/web/service.yaml": webService,
      "envs/staging/web/ingress.yaml": webIngress,
    });
    const record = await waitUntil("the failed staging sync", async () => {
      const response = await t.admin.api<AppDetails>("GET", "/apps/web-staging");
      return response.status === 200 ? response.body.history.find((entry) => entry.revision === staging && entry.result !== undefined) : undefined;
    }, 30_000, 100);
    messages.push(`ingress port clash: ${record.message ?? ""}`);
    expect(record).toMatchObject({ result: "Failed" });
    expect(record.message).toMatch(new RegExp(`ingress port ${stagingIngressPort} on 127\\.0\\.0\\.1 is taken`));
    expect((await t.admin.api<ReplicaView[]>("GET", "/apps/web-staging/replicas")).body).toEqual([]);
    expect((await t.admin.api<{ resources: ResourceView[] }>("GET", "/apps/web-staging")).body.resources.map((resource) => `${resource.kind}/${resource.name}:${resource.health}`)).toEqual([]);
    expect(await livePids()).toEqual(pids);
    expect(await served()).toBe("v1");
  }, 60_000);
});
