/**
 * A real image end to end on the `local` runtime: a Node base image from the host's node binary
 * (scripts/node-base-image.sh), a tiny service built on it by slipway's builder, pushed to the server's embedded
 * registry, deployed from an env repo as a Deployment without `command` (Entrypoint/Cmd, Env and WorkingDir come
 * from the image), served through the ingress; `slipway logs deploy/… -n dev` (plain, --json, --follow) reads
 * its log files; a missing image shows a clear error on the Deployment.
 */

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImage } from "../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { runtimeMarkerVariable } from "../../src/runtime/local/replica-registry-recovery";
import { findProcessesWithEnvironment } from "../../src/workflow/executors/host/proc-table";
import type { ReplicaView } from "../../src/server/services/delivery";
import { assertBuilt, slipway, startSlipway } from "../support/cli";
import { startTestServer, waitUntil, type TestServer, type WorkingCopy } from "../support/server";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

const service = `const http = require("node:http");
const port = Number(process.env.PORT);
http.createServer((req, res) => res.end(\`hello \${process.env.APP_VERSION} from \${process.cwd()} on node \${process.execPath}\`)).listen(port, "127.0.0.1", () => console.log(\`hello listening on \${port}\`));
process.on("SIGTERM", () => process.exit(0));
`;

function manifests(image: string, name = "hello"): Record<string, string> {
  return {
    [`apps/${name}.yaml`]: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: slipway }
spec:
  source: { repoURL: http://127.0.0.1/acme/deploy.git, path: envs/dev/${name}, targetRevision: main }
  destination: { name: local, namespace: dev }
  syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: [CreateNamespace=true] }
`,
    [`envs/dev/${name}/all.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 2
  progressDeadlineSeconds: ${name === "ghost" ? 4 : 120}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: ${name}
          image: ${image}
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec: { selector: { app: ${name} }, ports: [{ name: http, port: 80, targetPort: http }] }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name} }
spec:
  rules:
    - http: { paths: [{ path: /${name}, pathType: Prefix, backend: { service: { name: ${name}, port: { number: 80 } } } }] }
`,
  };
}

describe("an image built by slipway, pushed to the embedded registry, run by the local runtime", () => {
  let t: TestServer;
  let work: string;
  let repo: WorkingCopy;
  let ingress: string;
  let registryHost: string;

  beforeAll(async () => {
    assertBuilt();
    const port = await freeLoopbackPort();
    ingress = `http://127.0.0.1:${port}`;
    t = await startTestServer({ delivery: { ingressPorts: { dev: port }, resyncMs: 0, driftCheckMs: 0 } });
    registryHost = new URL(t.url).host;
    work = await mkdtemp(join(tmpdir(), "slipway-image-run-"));
    const store = await OciStore.open(join(work, "oci"));
    execFileSync("bash", [join(repoRoot, "scripts", "node-base-image.sh"), join(work, "rootfs")], { stdio: "ignore" });
    await importRootFilesystem(store, { source: join(work, "rootfs"), tag: "node-base:20" });
    await rm(join(work, "rootfs"), { recursive: true, force: true });
    const context = join(work, "service");
    await mkdir(context);
    await writeFile(join(context, "package.json"), JSON.stringify({ name: "hello", version: "1.0.0", main: "index.js" }));
    await writeFile(join(context, "index.js"), service);
    await buildImage(store, { contextDir: context, tag: "hello:v1.0.0", base: "node-base:20", env: { APP_VERSION: "1.0.0" } });
    const client = new RegistryClient({ registry: registryHost, credentials: { username: "admin", password: t.admin.token } });
    await t.createRepo("acme/deploy");
    await pushImageFromStore(store, "hello", "v1.0.0", client, "acme/deploy/hello", ["v1.0.0"]);
    repo = await t.workingCopy("acme/deploy", t.admin.token);
  }, 300_000);

  afterAll(async () => {
    // Replicas are detached and outlive a server that fails to stop: end this server's by their marker in any case.
    await Promise.race([t?.stop(), new Promise((resolve) => setTimeout(resolve, 45_000))]);
    if (t) for (const entry of await findProcessesWithEnvironment(runtimeMarkerVariable, join(t.dataDir, "runtime", "replica-records"))) process.kill(entry.pid, "SIGKILL");
    if (work) await rm(work, { recursive: true, force: true });
  }, 60_000);

  const cli = (args: string[]) => slipway(args, work, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token });
  const pods = async (app: string) => ((await t.admin.api<ReplicaView[]>("GET", `/apps/${app}/replicas`)).body ?? []) as ReplicaView[];

  it("runs the image's Cmd from its unpacked root, with its Env and WorkingDir, behind the ingress", async () => {
    await repo.commit("hello v1.0.0", manifests(`${registryHost}/acme/deploy/hello:v1.0.0`));
    await repo.ok("push", "-q", "origin", "HEAD:main");
    await waitUntil("2 ready replicas", async () => {
      const list = await pods("hello");
      return list.length === 2 && list.every((pod) => pod.ready) ? list : undefined;
    }, 120_000, 200);
    const body = await (await fetch(`${ingress}/hello`)).text();
    // Node from the image (the copy under the unpacked root), in the image's WorkingDir, with the image's Env.
    expect(body).toMatch(/^hello 1\.0\.0 from \/.+\/images\/rootfs\/[0-9a-f]{64}\/app on node \/.+\/images\/rootfs\/[0-9a-f]{64}\/usr\/local\/bin\/node$/);
  }, 180_000);

  it("prints the replicas' logs with `slipway logs deploy/NAME -n ENV`, as JSON, and follows them", async () => {
    const plain = await cli(["logs", "deploy/hello", "-n", "dev"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split("\n").map((line) => line.replace(/\[hello-[a-z0-9-]+\] /, "[R] ").replace(/\d+$/, "N"))).toEqual(["[R] hello listening on N", "[R] hello listening on N"]);
    const json = await cli(["logs", "deploy/hello", "-n", "dev", "--json", "--tail", "1"]);
    const lines = json.stdout.trim().split("\n").map((line) => JSON.parse(line) as { replica: string; stream: string; line: string });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ stream: "stdout", line: expect.stringMatching(/^hello listening on \d+$/) });
    const replica = lines[0].replica;
    const one = await cli(["logs", `pod/${replica}`, "-n", "dev"]);
    expect(one.stdout).toMatch(/^hello listening on \d+\n$/);
    const missing = await cli(["logs", "deploy/nope", "-n", "dev"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no Deployment nope in dev/);

    // --follow keeps printing: a scale-up's new replica shows up.
    const follower = startSlipway(["logs", "deploy/hello", "-n", "dev", "--follow", "--tail", "0"], work, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.admin.token });
    let followed = "";
    follower.stdout?.setEncoding("utf8").on("data", (chunk: string) => (followed += chunk));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const scaled = manifests(`${registryHost}/acme/deploy/hello:v1.0.0`);
    scaled["envs/dev/hello/all.yaml"] = scaled["envs/dev/hello/all.yaml"].replace("replicas: 2", "replicas: 3");
    await repo.commit("hello: 3 replicas", scaled);
    await repo.ok("push", "-q", "origin", "HEAD:main");
    await waitUntil("the new replica's line followed", async () => (/hello listening on \d+/.test(followed) ? true : undefined), 60_000, 100);
    follower.kill("SIGTERM");
  }, 120_000);

  it("shows a missing image on the Deployment and never starts a replica", async () => {
    await repo.commit("ghost", manifests(`${registryHost}/acme/deploy/ghost:v9.9.9`, "ghost"));
    await repo.ok("push", "-q", "origin", "HEAD:main");
    const failing = await waitUntil("the image error on the replica", async () => {
      const list = await pods("ghost");
      return list.length > 0 ? list : undefined;
    }, 60_000, 200);
    expect(failing.every((pod) => pod.pid === undefined && !pod.ready)).toBe(true);
    // The reason is on the Deployment's Progressing condition (and the replica's message) while the rollout waits.
    const message = await waitUntil("the image error on the Deployment", async () => {
      const state = t.server.context.delivery.startedRuntime?.snapshot("dev").deployments.find((deployment) => deployment.name === "ghost");
      return state?.conditions.find((condition) => condition.type === "Progressing" && condition.message.includes("cannot start"))?.message;
    }, 30_000, 100);
    expect(message).toMatch(/replica ghost-[a-z0-9-]+ cannot start: image .*ghost:v9\.9\.9 was not found \(no registry has it\) and container ghost sets no command/);
  }, 90_000);
});
