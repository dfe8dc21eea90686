import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isSlipwayError } from "../../../src/core/errors";
import type { DeploymentManifest, Manifest } from "../../../src/gitops/manifests";
import { directoryReader, memoryReader, renderEnvironment } from "../../../src/gitops/render";

const envRepo = directoryReader(fileURLToPath(new URL("../../fixtures/env-repo", import.meta.url)));

const names = (manifests: Manifest[]) => manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ""}/${m.metadata.name}`);
const images = (manifests: Manifest[]) =>
  manifests.filter((m): m is DeploymentManifest => m.kind === "Deployment").flatMap((d) => [...d.spec.template.spec.initContainers, ...d.spec.template.spec.containers].map((c) => c.image));

async function renderError(files: Record<string, string>, dir: string): Promise<string> {
  try {
    await renderEnvironment(memoryReader(files), dir);
  } catch (error) {
    if (isSlipwayError(error)) return error.message;
    throw error;
  }
  throw new Error("render succeeded");
}

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
          envFrom: [{ configMapRef: { name: ${name}-config } }]
`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: { a: "1" }\n`;

describe("render: plain directories", () => {
  it("reads every YAML file recursively in path order, with the Application's namespace as default", async () => {
    const manifests = await renderEnvironment(envRepo, "envs/prod/web", { defaultNamespace: "prod" });
    expect(names(manifests)).toEqual(["ConfigMap/prod/web-config", "Secret/prod/web-secrets", "Deployment/prod/web", "Service/prod/web", "Ingress/prod/web", "Job/prod/web-smoke-test"]);
    expect(manifests[2].source).toEqual({ file: "envs/prod/web/deployment.yaml", line: 2 });
  });

  it("recurses into subdirectories and ignores files that are not YAML", async () => {
    const reader = memoryReader({ "env/b/deploy.yml": deployment("b", "shop/b:v1"), "env/a.yaml": configMap("a"), "env/README.md": "# notes", "env/c/x.json": "{}" });
    expect(names(await renderEnvironment(reader, "env"))).toEqual(["ConfigMap//a", "Deployment//b"]);
  });

  it("keeps an explicit namespace over the default", async () => {
    const reader = memoryReader({ "env/a.yaml": `${configMap("a")}---\n${configMap("b").replace("name: b", "name: b\n  namespace: other")}` });
    expect(names(await renderEnvironment(reader, "env", { defaultNamespace: "dev" }))).toEqual(["ConfigMap/dev/a", "ConfigMap/other/b"]);
  });

  it("applies the Application's kustomize.images overrides to plain manifests too", async () => {
    const reader = memoryReader({ "env/d.yaml": deployment("web", "shop/web:v1") });
    expect(images(await renderEnvironment(reader, "env", { images: ["shop/web=registry.local/shop/web:v9"] }))).toEqual(["registry.local/shop/web:v9"]);
  });

  it("renders a subdirectory with a kustomization as one unit", async () => {
    const reader = memoryReader({
      "env/a.yaml": configMap("a"),
      "env/k/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: k-\n",
      "env/k/cm.yaml": configMap("b"),
    });
    expect(names(await renderEnvironment(reader, "env"))).toEqual(["ConfigMap//a", "ConfigMap//k-b"]);
  });

  it("reports a missing directory", async () => {
    expect(await renderError({}, "envs/qa/web")).toBe("envs/qa/web:1: no such directory, or it holds no files");
  });

  it("collects problems from several files, sorted by file and line", async () => {
    const message = await renderError({ "env/b.yaml": "kind: [\n", "env/a.yaml": deployment("a", "shop/a").replace("          image: shop/a\n", "") }, "env");
    expect(message).toBe("2 manifest problems:\n  env/a.yaml:13: spec.template.spec.containers[0].image is required\n  env/b.yaml:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
  });

  it("finds duplicates across files", async () => {
    expect(await renderError({ "env/a.yaml": configMap("x"), "env/b.yaml": configMap("x") }, "env")).toBe("env/b.yaml:1: duplicate ConfigMap x (first defined at env/a.yaml:1)");
  });
});

describe("render: kustomize subset", () => {
  it("renders an overlay over a base: namespace, commonLabels on selectors, images on containers and initContainers", async () => {
    const manifests = await renderEnvironment(envRepo, "envs/staging/api");
    expect(names(manifests)).toEqual(["Deployment/staging/api", "Service/staging/api"]);
    expect(images(manifests)).toEqual(["localhost:5000/shop/api:v1.2.0", "localhost:5000/shop/api:v1.2.0"]);
    const [deploymentManifest, service] = manifests;
    expect(deploymentManifest.metadata.labels).toEqual({ env: "staging" });
    expect((deploymentManifest as DeploymentManifest).spec.selector.matchLabels).toEqual({ app: "api", env: "staging" });
    expect((deploymentManifest as DeploymentManifest).spec.template.metadata.labels).toEqual({ app: "api", env: "staging" });
    expect(service.kind === "Service" && service.spec.selector).toEqual({ app: "api", env: "staging" });
    expect(deploymentManifest.source.file).toBe("base/api/deployment.yaml");
  });

  const imageCases: [string, string, string][] = [
    ["newTag", "  - name: shop/web\n    newTag: v2", "shop/web:v2"],
    ["newName", "  - name: shop/web\n    newName: registry.local/shop/web", "registry.local/shop/web:v1"],
    ["newName and newTag", "  - name: shop/web\n    newName: registry.local/shop/web\n    newTag: v3", "registry.local/shop/web:v3"],
    ["digest replaces the tag", "  - name: shop/web\n    digest: sha256:abc", "shop/web@sha256:abc"],
    ["a numeric tag", "  - name: shop/web\n    newTag: 2", "shop/web:2"],
    ["another image is untouched", "  - name: shop/api\n    newTag: v2", "shop/web:v1"],
  ];
  it.each(imageCases)("images: %s", async (_name, entry, expected) => {
    const reader = memoryReader({ "k/kustomization.yaml": `resources: [d.yaml]\nimages:\n${entry}\n`, "k/d.yaml": deployment("web", "shop/web:v1") });
    expect(images(await renderEnvironment(reader, "k"))).toEqual([expected]);
  });

  it("namePrefix renames objects and the references to them, not Namespaces", async () => {
    const reader = memoryReader({
      "k/kustomization.yaml": "resources: [all.yaml]\nnamePrefix: blue-\n",
      "k/all.yaml": `apiVersion: v1\nkind: Namespace\nmetadata: { name: dev }\n---\n${configMap("web-config")}---\n${deployment("web", "shop/web:v1")}---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  rules:
    - http:
        paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]
`,
    });
    const manifests = await renderEnvironment(reader, "k");
    expect(names(manifests)).toEqual(["Namespace//dev", "ConfigMap//blue-web-config", "Deployment//blue-web", "Ingress//blue-web"]);
    const d = manifests[2] as DeploymentManifest;
    expect(d.spec.template.spec.containers[0].envFrom[0].configMapRef?.name).toBe("blue-web-config");
    // No Service named web in this kustomization: the reference stays as written.
    expect(manifests[3].kind === "Ingress" && manifests[3].spec.rules[0].paths[0].backend.service.name).toBe("web");
  });

  it("nested overlays apply inner transforms first", async () => {
    const reader = memoryReader({
      "base/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: base-\n",
      "base/cm.yaml": configMap("c"),
      "mid/kustomization.yaml": "resources: [../base]\nnamePrefix: mid-\nnamespace: mid\n",
      "top/kustomization.yml": "resources: [../mid]\nnamespace: top\ncommonLabels: { team: shop }\n",
    });
    const manifests = await renderEnvironment(reader, "top");
    expect(names(manifests)).toEqual(["ConfigMap/top/mid-base-c"]);
    expect(manifests[0].metadata.labels).toEqual({ team: "shop" });
  });

  const errorCases: [string, Record<string, string>, string][] = [
    ["an unsupported field, by name and line", { "k/kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: p.yaml\n", "k/a.yaml": configMap("a") }, "k/kustomization.yaml:2: patches is not supported (slipway's kustomize supports resources, namespace, images, commonLabels, namePrefix)"],
    ["configMapGenerator", { "k/kustomization.yaml": "configMapGenerator:\n  - name: x\n" }, "k/kustomization.yaml:1: configMapGenerator is not supported (slipway's kustomize supports resources, namespace, images, commonLabels, namePrefix)"],
    ["a missing resource", { "k/kustomization.yaml": "resources:\n  - a.yaml\n  - gone.yaml\n", "k/a.yaml": configMap("a") }, 'k/kustomization.yaml:3: resources[1] "gone.yaml" not found'],
    ["a directory without a kustomization", { "k/kustomization.yaml": "resources: [../plain]\n", "plain/a.yaml": configMap("a") }, 'k/kustomization.yaml:1: resources[0] "../plain" is a directory without a kustomization.yaml'],
    ["a remote resource", { "k/kustomization.yaml": "resources:\n  - https://github.com/x/y//base\n" }, 'k/kustomization.yaml:2: resources[0] "https://github.com/x/y//base": remote resources are not supported'],
    ["a cycle", { "a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources: [../a]\n" }, 'b/kustomization.yaml:1: resources[0] "../a" includes itself (a/kustomization.yaml → b/kustomization.yaml → a/kustomization.yaml)'],
    ["a path outside the repository", { "k/kustomization.yaml": "resources: [../../etc]\n" }, 'k/kustomization.yaml:1: resources[0] "../../etc" points outside the repository'],
    ["an images entry without a change", { "k/kustomization.yaml": "images:\n  - name: shop/web\n" }, "k/kustomization.yaml:2: images[0] needs newName, newTag or digest"],
    ["invalid YAML in a kustomization", { "k/kustomization.yaml": "resources: [a.yaml\n" }, "k/kustomization.yaml:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ["a wrong kind", { "k/kustomization.yaml": "kind: Component\n" }, 'k/kustomization.yaml:1: kind must be Kustomization (got "Component")'],
    ["a problem in a resource names the resource file", { "k/kustomization.yaml": "resources: [d.yaml]\n", "k/d.yaml": deployment("web", "shop/web").replace("    matchLabels: { app: web }", "    matchLabels: { app: api }") }, "k/d.yaml:7: spec.selector.matchLabels app=api does not match spec.template.metadata.labels app=web"],
  ];
  it.each(errorCases)("rejects %s", async (_name, files, message) => {
    expect(await renderError(files, Object.keys(files)[0].split("/")[0])).toBe(message);
  });
});
