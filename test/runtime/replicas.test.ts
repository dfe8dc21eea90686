/** The local runtime's replicas: start and readiness, restarts after SIGKILL and liveness failure, draining scale-down, config, exec, logs, namespaces. */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogLine } from "../../src/runtime/runtime";
import { appDeployment, appService, httpGet, startHarness, servicePort, waitFor, type Harness } from "./support";

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  const { leftoverPids, listeningPorts } = await harness.stop();
  expect(harness.seenPids.size).toBeGreaterThan(0);
  expect(leftoverPids).toEqual([]);
  expect(listeningPorts).toEqual([]);
});

function deployment(namespace: string, name: string) {
  return harness.runtime.snapshot(namespace).deployments.find((candidate) => candidate.name === name);
}

describe("local runtime replicas", () => {
  it("starts replicas, marks them ready, and balances over them", async () => {
    const { runtime } = harness;
    const results = await runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version: "v1", replicas: 3 })]);
    expect(results.map((result) => `${result.ref.kind}:${result.action}`)).toEqual(["Service:created", "Deployment:created"]);
    const state = await waitFor("3 ready replicas", () => {
      const current = deployment("dev", "web");
      return current?.complete && current.readyReplicas === 3 ? current : undefined;
    });
    expect(new Set(state.pods.map((pod) => pod.pid)).size).toBe(3);
    expect(state.pods.every((pod) => pod.port && pod.revision === state.templateHash && pod.image === "example/web:v1")).toBe(true);
    expect(state.conditions.find((condition) => condition.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
    const port = servicePort(runtime, "dev", "web");
    const hosts = new Set<string>();
    for (let index = 0; index < 6; index++) hosts.add((await httpGet(`http://127.0.0.1:${port}/`)).body.split(" ")[1]);
    expect(hosts).toEqual(new Set(state.pods.map((pod) => pod.name)));
    expect((await runtime.observe("dev")).services[0].endpoints.http).toHaveLength(3);
    expect((await runtime.apply("dev", [appService("web")]))[0].action).toBe("unchanged");
  });

  it("restarts a replica killed with SIGKILL", async () => {
    const { runtime } = harness;
    const restarted: string[] = [];
    runtime.events.on((event) => {
      if (event.kind === "replica" && event.type === "restarted") restarted.push(event.replica);
    });
    await runtime.apply("dev", [appDeployment({ name: "web", version: "v1" })]);
    const first = await waitFor("ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready));
    process.kill(first.pid as number, "SIGKILL");
    const again = await waitFor("restarted and ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready && pod.restarts === 1));
    expect(again.name).toBe(first.name);
    expect(again.pid).not.toBe(first.pid);
    expect(again.port).toBe(first.port);
    expect(again.lastExit?.signal).toBe("SIGKILL");
    expect(restarted).toEqual([first.name]);
  });

  it("restarts a replica whose liveness probe fails", async () => {
    const { runtime } = harness;
    // The startup probe holds liveness back until the process listens (a fresh node process takes ~100 ms).
    const liveness = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 0.1, failureThreshold: 2 };
    const startup = { tcpSocket: { port: "http" }, periodSeconds: 0.05, failureThreshold: 100 };
    await runtime.apply("dev", [appDeployment({ name: "web", version: "v1", container: { livenessProbe: liveness, startupProbe: startup } })]);
    const first = await waitFor("ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready));
    await httpGet(`http://127.0.0.1:${first.port}/break-liveness`);
    const again = await waitFor("restart after liveness failure", () => deployment("dev", "web")?.pods.find((pod) => pod.ready && pod.restarts === 1));
    expect(again.pid).not.toBe(first.pid);
    expect(again.lastExit?.reason).toBe("LivenessProbeFailed");
  });

  it("drains in-flight requests when scaling down", async () => {
    const { runtime } = harness;
    await runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version: "v1", replicas: 3 })]);
    const before = await waitFor("3 ready", () => (deployment("dev", "web")?.readyReplicas === 3 ? deployment("dev", "web") : undefined));
    const port = servicePort(runtime, "dev", "web");
    const slow = Array.from({ length: 9 }, () => httpGet(`http://127.0.0.1:${port}/slow?delay=700`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runtime.apply("dev", [appDeployment({ name: "web", version: "v1", replicas: 1 })]);
    const results = await Promise.all(slow);
    expect(results.map((result) => result.status)).toEqual(Array(9).fill(200));
    const after = await waitFor("1 replica left", () => {
      const current = deployment("dev", "web");
      return current?.pods.length === 1 && current.complete ? current : undefined;
    });
    const gone = before.pods.filter((pod) => pod.name !== after.pods[0].name);
    for (const pod of gone) expect(() => process.kill(pod.pid as number, 0)).toThrow();
    const logs: LogLine[] = [];
    for await (const line of runtime.logs("dev", { kind: "Deployment", name: "web" })) logs.push(line);
    // Every stopped replica got SIGTERM only once its in-flight requests were done.
    expect(logs.filter((line) => line.line.startsWith("SIGTERM")).map((line) => line.line)).toEqual(["SIGTERM with 0 in flight", "SIGTERM with 0 in flight"]);
  });

  it("turns ConfigMaps and Secrets into env, envFrom and files, and runs exec in a replica", async () => {
    const { runtime } = harness;
    const app = appDeployment({
      name: "cfg",
      version: "v1",
      container: {
        env: [
          { name: "VERSION", value: "v1" },
          { name: "GREETING", valueFrom: { configMapKeyRef: { name: "settings", key: "greeting" } } },
          { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
          { name: "URL", value: "http://127.0.0.1:$(PORT)/" },
        ],
        envFrom: [{ configMapRef: { name: "settings" }, prefix: "CFG_" }],
        volumeMounts: [{ name: "config", mountPath: "/etc/app" }, { name: "secret", mountPath: "/var/run/secret", readOnly: true }],
      },
    });
    app.template.volumes = [
      { name: "config", configMap: { name: "settings" } },
      { name: "secret", secret: { secretName: "creds", items: [{ key: "token", path: "nested/token.txt" }] } },
    ];
    await runtime.apply("dev", [
      app,
      { kind: "ConfigMap", name: "settings", data: { greeting: "hello", "app.yaml": "level: debug\n" } },
      { kind: "Secret", name: "creds", data: { token: "s3cret" } },
    ]);
    const pod = await waitFor("ready", () => deployment("dev", "cfg")?.pods.find((candidate) => candidate.ready));
    const env = async (name: string) => (await httpGet(`http://127.0.0.1:${pod.port}/env?name=${name}`)).body;
    expect(await env("GREETING")).toBe("hello");
    expect(await env("TOKEN")).toBe("s3cret");
    expect(await env("CFG_greeting")).toBe("hello");
    expect(await env("URL")).toBe(`http://127.0.0.1:${pod.port}/`);
    expect(await env("PORT_8080")).toBe(String(pod.port));
    const configDir = await env("SLIPWAY_MOUNT_CONFIG");
    expect(configDir).toMatch(/\/mounts\/etc\/app$/);
    expect((await httpGet(`http://127.0.0.1:${pod.port}/file?path=${configDir}/app.yaml`)).body).toBe("level: debug\n");
    const secretDir = await env("SLIPWAY_MOUNT_SECRET");
    expect((await httpGet(`http://127.0.0.1:${pod.port}/file?path=${secretDir}/nested/token.txt`)).body).toBe("s3cret");
    await runtime.apply("dev", [{ kind: "ConfigMap", name: "settings", data: { greeting: "hello", "app.yaml": "level: info\n" } }]);
    expect((await httpGet(`http://127.0.0.1:${pod.port}/file?path=${configDir}/app.yaml`)).body).toBe("level: info\n");
    const exec = await runtime.exec("dev", { kind: "Deployment", name: "cfg" }, ["sh", "-c", "echo $GREETING-$HOSTNAME"]);
    expect(exec).toMatchObject({ exitCode: 0, stdout: `hello-${pod.name}\n` });
  });

  it("sends SIGKILL after terminationGracePeriodSeconds to a replica that ignores SIGTERM", async () => {
    const { runtime } = harness;
    await runtime.apply("dev", [appDeployment({ name: "stubborn", version: "v1", env: { IGNORE_SIGTERM: "1" }, graceSeconds: 0.5 })]);
    const pod = await waitFor("ready", () => deployment("dev", "stubborn")?.pods.find((candidate) => candidate.ready));
    const started = performance.now();
    expect(await runtime.delete("dev", { kind: "Deployment", name: "stubborn" })).toBe(true);
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(450);
    expect(tookMs).toBeLessThan(3000);
    expect(() => process.kill(pod.pid as number, 0)).toThrow();
  });

  it("follows logs across replicas started later", async () => {
    const { runtime } = harness;
    const abort = new AbortController();
    const seen: LogLine[] = [];
    const following = (async () => {
      for await (const line of runtime.logs("dev", { kind: "Deployment", name: "web" }, { follow: true, signal: abort.signal })) {
        seen.push(line);
        if (seen.length === 2) abort.abort();
      }
    })();
    await runtime.apply("dev", [appDeployment({ name: "web", version: "v1", replicas: 2 })]);
    await following;
    expect(seen.map((line) => line.line.replace(/\d+/, "N"))).toEqual(["listening on N version v1", "listening on N version v1"]);
    expect(new Set(seen.map((line) => line.replica)).size).toBe(2);
  });

  it("keeps namespaces apart", async () => {
    const { runtime } = harness;
    await runtime.apply("dev", [appService("web"), appDeployment({ name: "web", version: "dev-1" })]);
    const execReadiness = { exec: { command: ["sh", "-c", 'test "$VERSION" = prod-1'] }, periodSeconds: 0.2 };
    await runtime.apply("prod", [appService("web"), appDeployment({ name: "web", version: "prod-1", replicas: 2, container: { readinessProbe: execReadiness } })]);
    await waitFor("both ready", () => deployment("dev", "web")?.complete && deployment("prod", "web")?.complete);
    expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "dev", "web")}/`)).body).toMatch(/^dev-1 /);
    expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "prod", "web")}/`)).body).toMatch(/^prod-1 /);
    expect(await runtime.delete("dev", { kind: "Deployment", name: "web" })).toBe(true);
    expect(deployment("dev", "web")).toBeUndefined();
    expect(deployment("prod", "web")?.readyReplicas).toBe(2);
    expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "dev", "web")}/`)).status).toBe(503);
  });

  it("runs a Job to completion and retries a failing one up to its backoff limit", async () => {
    const { runtime } = harness;
    const done: string[] = [];
    runtime.events.on((event) => {
      if (event.kind === "job") done.push(`${event.name}:${event.type}`);
    });
    const job = (name: string, script: string, backoffLimit: number) => ({
      kind: "Job" as const,
      name,
      backoffLimit,
      template: { labels: { job: name }, containers: [{ name: "main", image: "x", command: [process.execPath, "-e", script] }] },
    });
    await runtime.apply("dev", [job("ok", "console.log('smoke passed')", 0), job("bad", "process.exit(3)", 1)]);
    await waitFor("both jobs done", () => done.length === 2);
    const jobs = runtime.snapshot("dev").jobs;
    expect(jobs.find((candidate) => candidate.name === "ok")).toMatchObject({ succeeded: 1, failed: 0, active: 0 });
    expect(jobs.find((candidate) => candidate.name === "bad")).toMatchObject({ succeeded: 0, failed: 2 });
    expect(done.sort()).toEqual(["bad:failed", "ok:succeeded"]);
    const lines: string[] = [];
    for await (const line of runtime.logs("dev", { kind: "Job", name: "ok" })) lines.push(line.line);
    expect(lines).toEqual(["smoke passed"]);
    // Job pods have no long-lived pid to assert on; the harness needs one process seen.
    await runtime.apply("dev", [appDeployment({ name: "web", version: "v1" })]);
    await waitFor("ready", () => deployment("dev", "web")?.complete);
  });
});
