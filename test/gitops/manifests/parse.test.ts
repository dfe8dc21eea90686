import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseManifestText, rolloutLimits, type DeploymentManifest, type IntOrString } from "../../../src/gitops/manifests";

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/env-repo/${path}`, import.meta.url), "utf8");

describe("typed manifests", () => {
  it("parses a Deployment with defaults resolved and the source line kept", () => {
    const { manifests, problems } = parseManifestText("envs/dev/web/deployment.yaml", fixture("envs/dev/web/deployment.yaml"));
    expect(problems).toEqual([]);
    const deployment = manifests[0] as DeploymentManifest;
    expect(deployment.source).toEqual({ file: "envs/dev/web/deployment.yaml", line: 2 });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(deployment.spec.progressDeadlineSeconds).toBe(60);
    const pod = deployment.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    expect(pod.containers[0]).toMatchObject({
      name: "web",
      image: "localhost:5000/shop/web:v1.3.0",
      env: [{ name: "GREETING", valueFrom: { configMapKeyRef: { name: "web-config", key: "greeting", optional: false } } }],
      envFrom: [{ secretRef: { name: "web-secrets", optional: false } }],
      ports: [{ name: "http", containerPort: 3000, protocol: "TCP" }],
      readinessProbe: {
        httpGet: { path: "/healthz", port: "http", scheme: "HTTP", httpHeaders: [] },
        initialDelaySeconds: 0,
        periodSeconds: 2,
        timeoutSeconds: 1,
        failureThreshold: 3,
        successThreshold: 1,
      },
      resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: {} },
    });
    expect(deployment.raw.kind).toBe("Deployment");
  });

  it("parses Service, Ingress, ConfigMap and Secret (data and stringData merged)", () => {
    const text = `${fixture("envs/dev/web/service.yaml")}---\n${fixture("envs/dev/web/config.yaml")}---
apiVersion: v1
kind: Secret
metadata: { name: both }
data: { a: YWxwaGE=, b: YmV0YQ== }
stringData: { b: overridden }
`;
    const { manifests, problems } = parseManifestText("x.yaml", text);
    expect(problems).toEqual([]);
    const [service, ingress, configMap, secret, both] = manifests;
    expect(service).toMatchObject({ kind: "Service", spec: { type: "ClusterIP", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }] } });
    expect(ingress).toMatchObject({
      kind: "Ingress",
      metadata: { annotations: { "argocd.argoproj.io/sync-wave": "1" } },
      spec: { rules: [{ host: "shop.dev.localhost", paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] }] },
    });
    expect(configMap).toMatchObject({ kind: "ConfigMap", data: { greeting: "hello from dev" } });
    expect(secret).toMatchObject({ kind: "Secret", type: "Opaque", data: { SESSION_KEY: "not-a-real-key-dev" } });
    expect(both).toMatchObject({ data: { a: "alpha", b: "overridden" } });
  });

  it("parses Applications with sync policy and a PostSync Job hook", () => {
    const apps = parseManifestText("apps/web.yaml", fixture("apps/web.yaml"));
    expect(apps.problems).toEqual([]);
    expect(apps.manifests.map((m) => m.metadata.name)).toEqual(["web-dev", "web-staging", "web-prod"]);
    expect(apps.manifests[0]).toMatchObject({
      kind: "Application",
      source: { file: "apps/web.yaml", line: 1 },
      spec: {
        source: { repoURL: "http://127.0.0.1:7070/shop/deploy.git", path: "envs/dev/web", targetRevision: "main" },
        destination: { name: "local", namespace: "dev" },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=true"] },
      },
    });
    expect(apps.manifests[1]).toMatchObject({ source: { line: 22 }, spec: { syncPolicy: { syncOptions: ["CreateNamespace=true"] } } });
    expect(apps.manifests[1].kind === "Application" && apps.manifests[1].spec.syncPolicy.automated).toBeUndefined();
    const hook = parseManifestText("smoke.yaml", fixture("envs/prod/web/smoke-test.yaml"));
    expect(hook.problems).toEqual([]);
    expect(hook.manifests[0]).toMatchObject({ kind: "Job", spec: { backoffLimit: 0, completions: 1, template: { spec: { restartPolicy: "Never" } } } });
  });

  it("`automated: {}` turns automation on with prune and selfHeal off", () => {
    const text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: a }\nspec:\n  source: { repoURL: r, path: p }\n  destination: { name: local }\n  syncPolicy:\n    automated: {}\n";
    const [app] = parseManifestText("a.yaml", text).manifests;
    expect(app).toMatchObject({ spec: { project: "default", source: { targetRevision: "HEAD" }, syncPolicy: { automated: { prune: false, selfHeal: false } } } });
  });
});

describe("rolloutLimits: Kubernetes rounding", () => {
  const table: [number, IntOrString, IntOrString, { maxSurge: number; maxUnavailable: number }][] = [
    [4, "25%", "25%", { maxSurge: 1, maxUnavailable: 1 }],
    [3, "25%", "25%", { maxSurge: 1, maxUnavailable: 0 }],
    [10, "25%", "25%", { maxSurge: 3, maxUnavailable: 2 }],
    [3, 1, 0, { maxSurge: 1, maxUnavailable: 0 }],
    [1, "0%", "10%", { maxSurge: 0, maxUnavailable: 1 }],
    [5, "100%", "0%", { maxSurge: 5, maxUnavailable: 0 }],
  ];
  it.each(table)("%i replicas, maxSurge %s, maxUnavailable %s", (replicas, maxSurge, maxUnavailable, expected) => {
    expect(rolloutLimits({ replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } } })).toEqual(expected);
  });
  it("Recreate takes every replica down first", () => {
    expect(rolloutLimits({ replicas: 3, strategy: { type: "Recreate" } })).toEqual({ maxSurge: 0, maxUnavailable: 3 });
  });
});
