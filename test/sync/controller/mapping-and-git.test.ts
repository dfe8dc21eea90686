/** manifest → runtime mapping (table of kinds, the `command` requirement) and the env repo git reader/writer (concurrent writes retried on a moved head). */

import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { parseManifestText } from "../../../src/gitops/manifests/parse-manifests";
import { validateObjects } from "../../../src/runtime/validate";
import { gitCommitReader, resolveRevision } from "../../../src/sync/controller/git-reader";
import { writeRestoreCommit, writeRevertCommit } from "../../../src/sync/controller/git-writer";
import { instanceLabel, manifestsToRuntime } from "../../../src/sync/manifest-to-runtime";
import { createEnvRepo, gitIn, type EnvRepo } from "./harness";

const fixture = fileURLToPath(new URL("../../fixtures/sync/manifests/all-kinds.yaml", import.meta.url));

describe("manifestsToRuntime", () => {
  it("maps every kind onto the runtime's specs, labelled with the owning app", async () => {
    const parsed = parseManifestText("envs/dev/web/all.yaml", await readFile(fixture, "utf8"));
    expect(parsed.problems).toEqual([]);
    const result = manifestsToRuntime(parsed.manifests, { app: "web-dev", defaultNamespace: "dev" });
    expect(result.problems).toEqual([]);
    expect(result.namespaces).toEqual(["dev"]);
    expect(result.mapped.map((entry) => `${entry.object.kind}/${entry.object.name}`)).toEqual(["ConfigMap/web-config", "Secret/web-secrets", "Deployment/web", "Service/web", "Ingress/web", "Job/migrate"]);
    for (const entry of result.mapped) expect(entry.object.labels?.[instanceLabel]).toBe("web-dev");
    const byKind = Object.fromEntries(result.mapped.map((entry) => [entry.object.kind, entry.object]));
    expect(byKind.Secret).toMatchObject({ data: { TOKEN: "s3cret" } });
    expect(byKind.Deployment).toMatchObject({
      replicas: 2,
      selector: { app: "web" },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        labels: { app: "web" },
        volumes: [{ name: "config", configMap: { name: "web-config" } }],
        containers: [{
          image: "example/web:v1",
          command: ["node", "server.js"],
          args: ["--verbose"],
          env: [{ name: "GREETING", valueFrom: { configMapKeyRef: { name: "web-config", key: "greeting" } } }],
          envFrom: [{ secretRef: { name: "web-secrets" } }],
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 2 },
          resources: { limits: { cpu: "500m", memory: "128Mi" } },
        }],
      },
    });
    expect(byKind.Service).toMatchObject({ selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http", nodePort: 30080, appProtocol: "http" }] });
    expect(byKind.Ingress).toMatchObject({ rules: [{ host: "web.dev.localhost", paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] }] });
    expect(byKind.Job).toMatchObject({ backoffLimit: 1, template: { restartPolicy: "Never", containers: [{ command: ["node", "migrate.js"] }] } });
    expect(() => validateObjects("dev", result.mapped.map((entry) => entry.object))).not.toThrow();
  });

  it("maps a container without command to an empty command (the runtime runs the image's Entrypoint/Cmd)", async () => {
    const text = (await readFile(fixture, "utf8")).replace("          command: [node, server.js]\n", "");
    const parsed = parseManifestText("envs/dev/web/all.yaml", text);
    const result = manifestsToRuntime(parsed.manifests, { app: "web-dev", defaultNamespace: "dev" });
    expect(result.problems).toEqual([]);
    const deployment = result.mapped.map((entry) => entry.object).find((object) => object.kind === "Deployment");
    expect(deployment).toMatchObject({ template: { containers: [{ command: [] }] } });
  });
});

describe("env repo git reader and writer", () => {
  let repo: EnvRepo | undefined;
  afterEach(async () => {
    await repo?.remove();
    repo = undefined;
  });

  it("reads a commit's files and lists directories", async () => {
    repo = await createEnvRepo();
    const first = await repo.push({ "envs/dev/web/a.yaml": "a: 1\n", "envs/dev/web/sub/b.yaml": "b: 1\n", "README.md": "x" }, "one");
    await repo.push({ "envs/dev/web/a.yaml": "a: 2\n" }, "two");
    const reader = gitCommitReader(repo.bare, first);
    expect(await reader.list("envs/dev/web")).toEqual(["envs/dev/web/a.yaml", "envs/dev/web/sub/b.yaml"]);
    expect(await reader.read("envs/dev/web/a.yaml")).toBe("a: 1\n");
    expect(await reader.read("envs/dev/web/missing.yaml")).toBeUndefined();
    expect(await gitCommitReader(repo.bare, await resolveRevision(repo.bare, "main")).read("envs/dev/web/a.yaml")).toBe("a: 2\n");
  });

  it("lands concurrent writes on a moving head (non-fast-forward retried), and reverts a commit", async () => {
    repo = await createEnvRepo();
    const files: Record<string, string> = {};
    for (let index = 0; index < 6; index++) files[`envs/dev/s${index}/app.yaml`] = "version: 1\n";
    const base = await repo.push(files, "base");
    const changed: Record<string, string> = {};
    for (let index = 0; index < 6; index++) changed[`envs/dev/s${index}/app.yaml`] = "version: 2\n";
    await repo.push(changed, "v2 everywhere");
    const options = { repoDir: repo.bare, branch: "main", attempts: 10 };
    const commits = await Promise.all(Array.from({ length: 6 }, (_, index) => writeRestoreCommit(options, `envs/dev/s${index}`, base, `restore s${index}`)));
    expect(commits.every((commit) => commit !== undefined)).toBe(true);
    const head = await repo.head();
    for (let index = 0; index < 6; index++) expect(await gitIn(repo.bare, "show", `${head}:envs/dev/s${index}/app.yaml`)).toBe("version: 1\n");
    const bump = await repo.push({ "envs/dev/s0/app.yaml": "version: 3\n" }, "v3 s0");
    const revert = await writeRevertCommit(options, [bump], "smoke test failed");
    expect(revert).toBe(await repo.head());
    expect(await gitIn(repo.bare, "log", "-1", "--format=%B", "main")).toMatch(new RegExp(`This reverts commit ${bump}[\\s\\S]*slipway: smoke test failed`));
    expect(await gitIn(repo.bare, "show", "main:envs/dev/s0/app.yaml")).toBe("version: 1\n");
  });
});
