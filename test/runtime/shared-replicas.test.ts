/** Replicas on every runtime (one suite over local and docker): readiness and balancing, draining scale-down, logs, restart after SIGKILL and liveness failure, config as env and files, exec, grace period, namespaces, Jobs. */

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LogLine } from "../../src/runtime/runtime";
import { appDeployment, appService, httpGet, servicePort, waitFor, type AppOptions, type Harness } from "./support";
import { runtimeCases } from "./runtime-cases";

for (const runtimeCase of runtimeCases) {
  describe.skipIf(!runtimeCase.runnable)(`${runtimeCase.name} runtime: replicas`, () => {
    let harness: Harness;

    beforeAll(() => runtimeCase.prepare(), 300_000);
    afterAll(() => runtimeCase.release(), 120_000);
    beforeEach(async () => {
      harness = await runtimeCase.start();
    });
    afterEach(async () => {
      const { leftoverPids, listeningPorts } = await harness.stop();
      expect(leftoverPids).toEqual([]);
      expect(listeningPorts).toEqual([]);
    }, 60_000);

    const deployment = (namespace: string, name: string) => harness.runtime.snapshot(namespace).deployments.find((candidate) => candidate.name === name);
    const app = (options: AppOptions) => appDeployment({ ...options, container: { ...runtimeCase.app(options.version), ...options.container } });

    it("starts replicas, marks them ready, and balances over them", async () => {
      const { runtime } = harness;
      await runtime.apply("dev", [appService("web"), app({ name: "web", version: "v1", replicas: 3 })]);
      const state = await waitFor("3 ready replicas", () => {
        const current = deployment("dev", "web");
        return current?.complete && current.readyReplicas === 3 ? current : undefined;
      }, 60_000);
      expect(new Set(state.pods.map((pod) => pod.pid)).size).toBe(3);
      expect(state.pods.every((pod) => pod.port && pod.revision === state.templateHash && pod.image === runtimeCase.app("v1").image)).toBe(true);
      if (runtime.capabilities.isolation === "container") expect(state.pods.every((pod) => pod.containerId)).toBe(true);
      const port = servicePort(runtime, "dev", "web");
      const hosts = new Set<string>();
      for (let index = 0; index < 6; index++) hosts.add((await httpGet(`http://127.0.0.1:${port}/`)).body.split(" ")[1]);
      expect(hosts).toEqual(new Set(state.pods.map((pod) => pod.name)));
      expect((await runtime.observe("dev")).services[0].endpoints.http).toHaveLength(3);
    }, 90_000);

    it("restarts a replica killed with SIGKILL, on the same port", async () => {
      const { runtime } = harness;
      await runtime.apply("dev", [app({ name: "web", version: "v1" })]);
      const first = await waitFor("ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready), 60_000);
      process.kill(first.pid as number, "SIGKILL");
      const again = await waitFor("restarted and ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready && pod.restarts === 1), 60_000);
      expect(again.name).toBe(first.name);
      expect(again.pid).not.toBe(first.pid);
      expect(again.port).toBe(first.port);
      expect(again.lastExit?.signal).toBe("SIGKILL");
    }, 90_000);

    it("drains in-flight requests before SIGTERM when scaling down, and follows logs across replicas", async () => {
      const { runtime } = harness;
      const abort = new AbortController();
      const followed: LogLine[] = [];
      const following = (async () => {
        for await (const line of runtime.logs("dev", { kind: "Deployment", name: "web" }, { follow: true, signal: abort.signal })) {
          followed.push(line);
          if (followed.length === 3) abort.abort();
        }
      })();
      await runtime.apply("dev", [appService("web"), app({ name: "web", version: "v1", replicas: 3 })]);
      const before = await waitFor("3 ready", () => (deployment("dev", "web")?.readyReplicas === 3 ? deployment("dev", "web") : undefined), 60_000);
      await following;
      expect(followed.map((line) => line.line.replace(/\d+/, "N"))).toEqual(Array(3).fill("listening on N version v1"));
      expect(new Set(followed.map((line) => line.replica)).size).toBe(3);
      const port = servicePort(runtime, "dev", "web");
      const slow = Array.from({ length: 9 }, () => httpGet(`http://127.0.0.1:${port}/slow?delay=700`));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await runtime.apply("dev", [app({ name: "web", version: "v1", replicas: 1 })]);
      expect((await Promise.all(slow)).map((result) => result.status)).toEqual(Array(9).fill(200));
      const after = await waitFor("1 replica left", () => {
        const current = deployment("dev", "web");
        return current?.pods.length === 1 && current.complete ? current : undefined;
      }, 30_000);
      for (const pod of before.pods.filter((candidate) => candidate.name !== after.pods[0].name)) expect(() => process.kill(pod.pid as number, 0)).toThrow();
      const logs: LogLine[] = [];
      for await (const line of runtime.logs("dev", { kind: "Deployment", name: "web" })) logs.push(line);
      // Every stopped replica got SIGTERM only once its in-flight requests were done.
      expect(logs.filter((line) => line.line.startsWith("SIGTERM")).map((line) => line.line)).toEqual(["SIGTERM with 0 in flight", "SIGTERM with 0 in flight"]);
    }, 90_000);

    it("restarts a replica whose liveness probe fails", async () => {
      const { runtime } = harness;
      const liveness = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 0.1, failureThreshold: 2 };
      const startup = { tcpSocket: { port: "http" }, periodSeconds: 0.05, failureThreshold: 400 };
      await runtime.apply("dev", [app({ name: "web", version: "v1", graceSeconds: 1, container: { livenessProbe: liveness, startupProbe: startup } })]);
      const first = await waitFor("ready", () => deployment("dev", "web")?.pods.find((pod) => pod.ready), 60_000);
      await httpGet(`http://127.0.0.1:${first.port}/break-liveness`);
      const again = await waitFor("restart after liveness failure", () => deployment("dev", "web")?.pods.find((pod) => pod.ready && pod.restarts === 1), 60_000);
      expect(again.pid).not.toBe(first.pid);
      expect(again.lastExit?.reason).toBe("LivenessProbeFailed");
    }, 90_000);

    it("turns ConfigMaps and Secrets into env, envFrom and files, runs exec and exec probes in a replica", async () => {
      const { runtime } = harness;
      const spec = app({
        name: "cfg",
        version: "v1",
        container: {
          env: [
            { name: "GREETING", valueFrom: { configMapKeyRef: { name: "settings", key: "greeting" } } },
            { name: "TOKEN", valueFrom: { secretKeyRef: { name: "creds", key: "token" } } },
            { name: "URL", value: "http://127.0.0.1:$(PORT)/" },
          ],
          envFrom: [{ configMapRef: { name: "settings" }, prefix: "CFG_" }],
          volumeMounts: [{ name: "config", mountPath: "/etc/app" }, { name: "secret", mountPath: "/var/run/secret", readOnly: true }],
          startupProbe: { tcpSocket: { port: "http" }, periodSeconds: 0.05, failureThreshold: 400 },
          readinessProbe: { exec: { command: ["sh", "-c", 'test "$GREETING" = hello'] }, periodSeconds: 0.2 },
        },
      });
      spec.template.volumes = [
        { name: "config", configMap: { name: "settings" } },
        { name: "secret", secret: { secretName: "creds", items: [{ key: "token", path: "nested/token.txt" }] } },
      ];
      await runtime.apply("dev", [
        spec,
        { kind: "ConfigMap", name: "settings", data: { greeting: "hello", "app.yaml": "level: debug\n" } },
        { kind: "Secret", name: "creds", data: { token: "s3cret" } },
      ]);
      const pod = await waitFor("ready", () => deployment("dev", "cfg")?.pods.find((candidate) => candidate.ready), 60_000);
      const env = async (name: string) => (await httpGet(`http://127.0.0.1:${pod.port}/env?name=${name}`)).body;
      expect(await env("GREETING")).toBe("hello");
      expect(await env("TOKEN")).toBe("s3cret");
      expect(await env("CFG_greeting")).toBe("hello");
      expect(await env("URL")).toBe(`http://127.0.0.1:${pod.port}/`);
      // Containers see volumes at their mountPath; host processes are told where they were written.
      const absolute = runtime.capabilities.absoluteMountPaths;
      const configDir = absolute ? "/etc/app" : await env("SLIPWAY_MOUNT_CONFIG");
      const secretDir = absolute ? "/var/run/secret" : await env("SLIPWAY_MOUNT_SECRET");
      const file = async (path: string) => (await httpGet(`http://127.0.0.1:${pod.port}/file?path=${path}`)).body;
      expect(await file(`${configDir}/app.yaml`)).toBe("level: debug\n");
      expect(await file(`${secretDir}/nested/token.txt`)).toBe("s3cret");
      await runtime.apply("dev", [{ kind: "ConfigMap", name: "settings", data: { greeting: "hello", "app.yaml": "level: info\n" } }]);
      expect(await file(`${configDir}/app.yaml`)).toBe("level: info\n");
      const exec = await runtime.exec("dev", { kind: "Deployment", name: "cfg" }, ["sh", "-c", "echo $GREETING-$HOSTNAME; exit 4"]);
      expect(exec).toMatchObject({ exitCode: 4, stdout: `hello-${pod.name}\n`, timedOut: false });
      const slow = await runtime.exec("dev", { kind: "Deployment", name: "cfg" }, ["sh", "-c", "while :; do :; done"], { timeoutMs: 300 });
      expect(slow.timedOut).toBe(true);
    }, 90_000);

    it("sends SIGKILL after terminationGracePeriodSeconds to a replica that ignores SIGTERM", async () => {
      const { runtime } = harness;
      await runtime.apply("dev", [app({ name: "stubborn", version: "v1", env: { IGNORE_SIGTERM: "1" }, graceSeconds: 0.5 })]);
      const pod = await waitFor("ready", () => deployment("dev", "stubborn")?.pods.find((candidate) => candidate.ready), 60_000);
      const started = performance.now();
      expect(await runtime.delete("dev", { kind: "Deployment", name: "stubborn" })).toBe(true);
      const tookMs = performance.now() - started;
      expect(tookMs).toBeGreaterThanOrEqual(450);
      expect(tookMs).toBeLessThan(5000);
      expect(() => process.kill(pod.pid as number, 0)).toThrow();
    }, 90_000);

    it("keeps namespaces apart", async () => {
      const { runtime } = harness;
      await runtime.apply("dev", [appService("web"), app({ name: "web", version: "dev-1" })]);
      const execReadiness = { exec: { command: ["sh", "-c", 'test "$VERSION" = prod-1'] }, periodSeconds: 0.2 };
      await runtime.apply("prod", [appService("web"), app({ name: "web", version: "prod-1", replicas: 2, container: { readinessProbe: execReadiness } })]);
      await waitFor("both ready", () => deployment("dev", "web")?.complete && deployment("prod", "web")?.complete, 60_000);
      expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "dev", "web")}/`)).body).toMatch(/^dev-1 /);
      expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "prod", "web")}/`)).body).toMatch(/^prod-1 /);
      expect(await runtime.delete("dev", { kind: "Deployment", name: "web" })).toBe(true);
      expect(deployment("dev", "web")).toBeUndefined();
      expect(deployment("prod", "web")?.readyReplicas).toBe(2);
      expect((await httpGet(`http://127.0.0.1:${servicePort(runtime, "dev", "web")}/`)).status).toBe(503);
    }, 90_000);

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
        template: { labels: { job: name }, containers: [{ name: "main", image: runtimeCase.app("v1").image, command: [runtimeCase.node(), "-e", script] }] },
      });
      await runtime.apply("dev", [job("ok", "console.log('smoke passed')", 0), job("bad", "process.exit(3)", 1)]);
      await waitFor("both jobs done", () => done.length === 2, 60_000);
      const jobs = runtime.snapshot("dev").jobs;
      expect(jobs.find((candidate) => candidate.name === "ok")).toMatchObject({ succeeded: 1, failed: 0, active: 0 });
      expect(jobs.find((candidate) => candidate.name === "bad")).toMatchObject({ succeeded: 0, failed: 2 });
      expect(jobs.find((candidate) => candidate.name === "bad")?.pods[0].lastExit?.exitCode).toBe(3);
      expect(done.sort()).toEqual(["bad:failed", "ok:succeeded"]);
      const lines: string[] = [];
      for await (const line of runtime.logs("dev", { kind: "Job", name: "ok" })) lines.push(line.line);
      expect(lines).toEqual(["smoke passed"]);
    }, 90_000);
  });
}
