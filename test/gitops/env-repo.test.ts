import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isSlipwayError } from "../../src/core/errors";
import {
  findApplication,
  findImageFiles,
  listApplications,
  listEnvironments,
  listServices,
  parseServiceDirectory,
  serviceDirectory,
  serviceManifests,
} from "../../src/gitops/env-repo";
import { hasSyncOption } from "../../src/gitops/manifests";
import { directoryReader, memoryReader } from "../../src/gitops/render";

const envRepo = directoryReader(fileURLToPath(new URL("../fixtures/env-repo", import.meta.url)));

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string; hint?: string }> {
  try {
    await promise;
  } catch (error) {
    if (isSlipwayError(error)) return { code: error.code, message: error.message, hint: error.hint };
    throw error;
  }
  throw new Error("no error");
}

describe("environment repo layout", () => {
  it("lists the Applications under apps/", async () => {
    const applications = await listApplications(envRepo);
    expect(applications.map((app) => app.metadata.name)).toEqual(["api-dev", "api-staging", "api-prod", "web-dev", "web-staging", "web-prod"]);
    expect(applications.filter((app) => app.spec.syncPolicy.automated).map((app) => app.metadata.name)).toEqual(["api-dev", "web-dev"]);
    expect(applications.every((app) => hasSyncOption(app, "CreateNamespace"))).toBe(true);
  });

  it("lists environments and services", async () => {
    expect(await listEnvironments(envRepo)).toEqual(["dev", "prod", "staging"]);
    expect(await listServices(envRepo, "prod")).toEqual(["api", "web"]);
  });

  it("maps service directories both ways", () => {
    expect(serviceDirectory("staging", "web")).toBe("envs/staging/web");
    expect(parseServiceDirectory("./envs/staging/web/")).toEqual({ env: "staging", service: "web" });
    expect(parseServiceDirectory("base/api")).toBeUndefined();
  });

  it("finds the Application and renders a service's manifests in its namespace", async () => {
    const applications = await listApplications(envRepo);
    const app = findApplication(applications, "web", "staging");
    expect(app?.metadata.name).toBe("web-staging");
    const manifests = await serviceManifests(envRepo, "web", "staging", app);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      "ConfigMap/staging/web-config",
      "Secret/staging/web-secrets",
      "Deployment/staging/web",
      "Service/staging/web",
      "Ingress/staging/web",
    ]);
  });

  const imageFiles: [string, string, string, string[]][] = [
    ["plain manifests: the file with the container", "web", "prod", ["envs/prod/web/deployment.yaml"]],
    ["an overlay: its kustomization, never the shared base", "api", "prod", ["envs/prod/api/kustomization.yaml"]],
  ];
  it.each(imageFiles)("image file for promotion — %s", async (_name, service, env, expected) => {
    expect(await findImageFiles(envRepo, service, env, `localhost:5000/shop/${service}`)).toEqual(expected);
  });

  it("refuses to promote through a shared base", async () => {
    const reader = memoryReader({
      "envs/dev/api/kustomization.yaml": "resources: [../../../base/api]\n",
      "base/api/kustomization.yaml": "resources: [d.yaml]\n",
      "base/api/d.yaml": "containers:\n  - image: shop/api:v1\n",
    });
    expect(await errorOf(findImageFiles(reader, "api", "dev", "shop/api"))).toEqual({
      code: "NOT_FOUND",
      message: "no manifest under envs/dev/api holds the image shop/api",
      hint: "Add an images: entry for shop/api to envs/dev/api/kustomization.yaml, so promotion changes dev only and not a shared base.",
    });
  });

  it("names a missing service directory", async () => {
    expect((await errorOf(findImageFiles(envRepo, "cart", "dev", "shop/cart"))).message).toBe("envs/dev/cart does not exist in the environment repo");
  });

  it("rejects other kinds and duplicate names under apps/", async () => {
    const app = (name: string) => `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: ${name} }\nspec:\n  source: { repoURL: r, path: envs/dev/${name} }\n  destination: { name: local, namespace: dev }\n`;
    const reader = memoryReader({ "apps/a.yaml": app("web"), "apps/b.yaml": `${app("web")}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n` });
    expect((await errorOf(listApplications(reader))).message).toBe(
      '2 manifest problems:\n  apps/b.yaml:1: metadata.name "web" is already an Application at apps/a.yaml:1\n  apps/b.yaml:8: kind ConfigMap does not belong in apps/: only Applications do',
    );
  });
});
