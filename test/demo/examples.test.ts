/** The demo's example repositories as slipway reads them: every workflow parses without a diagnostic, every Application and manifest of shop-deploy validates, and the ingress routes as seed 004 draws it. */

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listApplications, listEnvironments, listServices, serviceManifests } from "../../src/gitops/env-repo";
import type { DeploymentManifest, IngressManifest } from "../../src/gitops/manifests/model";
import { directoryReader } from "../../src/gitops/render/manifest-reader";
import { matchRoute } from "../../src/runtime/local/ingress-routes";
import { parseWorkflowFile } from "../../src/workflow/parse";
import { checkout } from "../support/cli";
import { shopServices } from "../../src/demo/demo-config";

const shop = join(checkout, "examples", "shop");
const deploy = join(checkout, "examples", "shop-deploy");

describe("examples/shop workflows", () => {
  it("ci.yml, build.yml and deploy.yml parse without diagnostics, with the triggers the users' pipelines have", async () => {
    const dir = join(shop, ".slipway", "workflows");
    const parsed = new Map<string, Awaited<ReturnType<typeof parseWorkflowFile>>>();
    for (const file of (await readdir(dir)).sort()) parsed.set(file, await parseWorkflowFile(`.slipway/workflows/${file}`, await readFile(join(dir, file), "utf8")));
    expect([...parsed.keys()]).toEqual(["build.yml", "ci.yml", "deploy.yml"]);
    for (const [file, result] of parsed) expect(result.diagnostics, file).toEqual([]);
    const jobs = (file: string) => parsed.get(file)?.workflow?.jobs.map((job) => job.id);
    expect(jobs("ci.yml")).toEqual(["lint", "scan", "test", "image"]);
    expect(jobs("build.yml")).toEqual(["release", "images", "dev", "notify"]);
    expect(jobs("deploy.yml")).toEqual(["deploy"]);
    const text = await readFile(join(dir, "deploy.yml"), "utf8");
    expect(text).toContain("environment: ${{ inputs.environment }}");
    expect(text).toContain("workflow_dispatch:");
  });
});

describe("examples/shop-deploy", () => {
  const reader = directoryReader(deploy);

  it("has an Application per service and environment, on the local runtime, each naming its own directory", async () => {
    const applications = await listApplications(reader);
    expect(applications).toHaveLength(15);
    expect(await listEnvironments(reader)).toEqual(["dev", "prod", "staging"]);
    for (const env of ["dev", "staging", "prod"]) {
      expect(await listServices(reader, env)).toEqual([...shopServices].sort());
      for (const service of shopServices) {
        const app = applications.find((candidate) => candidate.metadata.name === `${service}-${env}`);
        expect(app?.spec).toMatchObject({ source: { path: `envs/${env}/${service}` }, destination: { name: "local", namespace: env }, syncPolicy: { automated: { prune: true, selfHeal: true } } });
      }
    }
  });

  it("runs every service from its image with a readiness probe, and no command (the image's Cmd runs)", async () => {
    const applications = await listApplications(reader);
    for (const app of applications) {
      const [service, env] = [app.metadata.name.replace(/-[^-]+$/, ""), app.spec.destination.namespace ?? ""];
      const manifests = await serviceManifests(reader, service, env, app);
      const deployment = manifests.find((m): m is DeploymentManifest => m.kind === "Deployment");
      const container = deployment?.spec.template.spec.containers[0];
      expect(container?.image).toBe(`127.0.0.1:7700/demo/shop/${service}:v1.0.0`);
      expect(container?.command).toBeUndefined();
      expect(container?.readinessProbe?.httpGet?.path).toBe("/healthz");
      expect(deployment?.spec.replicas).toBe(env === "dev" ? 1 : 2);
      expect(manifests.map((m) => m.kind).sort()).toEqual(service === "gateway" ? ["Deployment", "Ingress", "Service"] : service === "auth" ? ["Deployment", "Secret", "Service"] : ["Deployment", "Service"]);
    }
  });

  it("routes the gateway's Ingress as seed 004: /api/auth → auth, /api/products → catalog, /api/orders → orders, / → web", async () => {
    const applications = await listApplications(reader);
    for (const env of ["dev", "staging", "prod"]) {
      const manifests = await serviceManifests(reader, "gateway", env, applications.find((app) => app.metadata.name === `gateway-${env}`));
      const ingress = manifests.find((m): m is IngressManifest => m.kind === "Ingress");
      if (!ingress) throw new Error(`no Ingress in envs/${env}/gateway`);
      const spec = { kind: "Ingress" as const, name: ingress.metadata.name, rules: ingress.spec.rules.map((rule) => ({ paths: rule.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: { service: { name: p.backend.service.name, port: { ...p.backend.service.port } } } })) })) };
      const route = (path: string) => matchRoute([spec], "127.0.0.1:8080", path)?.backend.service.name;
      expect([route("/api/auth/login"), route("/api/products/p1"), route("/api/orders"), route("/api"), route("/"), route("/index.html"), route("/api/productsx")]).toEqual(["auth", "catalog", "orders", "gateway", "web", "web", "gateway"]);
    }
  });
});
