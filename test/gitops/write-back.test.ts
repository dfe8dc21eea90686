import { describe, expect, it } from "vitest";
import { isSlipwayError } from "../../src/core/errors";
import { writeBackImage } from "../../src/gitops/write-back";

const deployment = `# web in dev — promoted by slipway
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    note: "image: shop/web:v1.0.0 is only text here"
spec:
  replicas: 3 # keep three
  template:
    spec:
      initContainers:
        - name: migrate
          image: localhost:5000/shop/web:v1.0.0   # same image, migration mode
      containers:
        - name: web
          image: "localhost:5000/shop/web:v1.0.0" # promoted
          ports: [{ containerPort: 3000 }]
        - name: proxy
          image: 'localhost:5000/shop/web-proxy:v1.0.0'
`;

const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../base/api   # shared
images:
  # the service's image
  - name: localhost:5000/shop/api
    newTag: v1.0.0
  - name: postgres
    newTag: "16"
`;

const cases: { name: string; text: string; image: string; ref: string; expected: string; changed: number }[] = [
  {
    name: "containers and initContainers, keeping comments and quotes",
    text: deployment,
    image: "localhost:5000/shop/web",
    ref: "localhost:5000/shop/web:v1.1.0",
    expected: deployment
      .replace("image: localhost:5000/shop/web:v1.0.0   #", "image: localhost:5000/shop/web:v1.1.0   #")
      .replace('image: "localhost:5000/shop/web:v1.0.0" #', 'image: "localhost:5000/shop/web:v1.1.0" #'),
    changed: 2,
  },
  {
    name: "a name without registry matches any registry",
    text: "containers:\n  - image: registry.example.com:5000/shop/web:v1\n",
    image: "shop/web",
    ref: "registry.example.com:5000/shop/web:v2",
    expected: "containers:\n  - image: registry.example.com:5000/shop/web:v2\n",
    changed: 1,
  },
  {
    name: "a single-quoted image stays single-quoted",
    text: "containers:\n  - name: proxy\n    image: 'shop/proxy:v1'\n",
    image: "shop/proxy",
    ref: "shop/proxy:v2",
    expected: "containers:\n  - name: proxy\n    image: 'shop/proxy:v2'\n",
    changed: 1,
  },
  {
    name: "a digest reference replaces a tag",
    text: "containers:\n  - image: shop/web:v1\n",
    image: "shop/web",
    ref: "shop/web@sha256:0123abcd",
    expected: "containers:\n  - image: shop/web@sha256:0123abcd\n",
    changed: 1,
  },
  {
    name: "a flow-style container",
    text: "spec:\n  containers: [{ name: web, image: shop/web:v1, args: [serve] }]\n",
    image: "shop/web",
    ref: "shop/web:v2",
    expected: "spec:\n  containers: [{ name: web, image: shop/web:v2, args: [serve] }]\n",
    changed: 1,
  },
  {
    name: "every document of a multi-document file",
    text: "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/web:v1\n---\n# the API is not touched\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/api:v1\n---\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/web:v1 # smoke test\n",
    image: "shop/web",
    ref: "shop/web:v2",
    expected: "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/web:v2\n---\n# the API is not touched\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/api:v1\n---\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - image: shop/web:v2 # smoke test\n",
    changed: 2,
  },
  {
    name: "already at the version: matched, nothing changed",
    text: "containers:\n  - image: shop/web:v2\n",
    image: "shop/web",
    ref: "shop/web:v2",
    expected: "containers:\n  - image: shop/web:v2\n",
    changed: 0,
  },
  {
    name: "CRLF line endings are kept",
    text: "# windows\r\ncontainers:\r\n  - image: shop/web:v1\r\n",
    image: "shop/web",
    ref: "shop/web:v2",
    expected: "# windows\r\ncontainers:\r\n  - image: shop/web:v2\r\n",
    changed: 1,
  },
  {
    name: "kustomization images: newTag",
    text: kustomization,
    image: "localhost:5000/shop/api",
    ref: "localhost:5000/shop/api:v1.1.0",
    expected: kustomization.replace("    newTag: v1.0.0", "    newTag: v1.1.0"),
    changed: 1,
  },
  {
    name: "kustomization quoted newTag stays quoted",
    text: 'images:\n  - name: shop/api\n    newTag: "v1.0.0"\n',
    image: "shop/api",
    ref: "shop/api:v1.0.1",
    expected: 'images:\n  - name: shop/api\n    newTag: "v1.0.1"\n',
    changed: 1,
  },
  {
    name: "kustomization entry without newTag gets one at its indentation",
    text: "images:\n    - name: shop/api\n      newName: registry.local/shop/api # mirrored\nresources: [../base]\n",
    image: "shop/api",
    ref: "registry.local/shop/api:v3.0.0",
    expected: "images:\n    - name: shop/api\n      newName: registry.local/shop/api # mirrored\n      newTag: v3.0.0\nresources: [../base]\n",
    changed: 1,
  },
  {
    name: "kustomization digest reference turns newTag into digest",
    text: "images:\n  - name: shop/api\n    newTag: v1\n",
    image: "shop/api",
    ref: "shop/api@sha256:feed",
    expected: "images:\n  - name: shop/api\n    digest: sha256:feed\n",
    changed: 1,
  },
  {
    name: "kustomization tag reference turns digest into newTag",
    text: "images:\n  - name: shop/api\n    digest: sha256:feed\n",
    image: "shop/api",
    ref: "shop/api:v2",
    expected: "images:\n  - name: shop/api\n    newTag: v2\n",
    changed: 1,
  },
  {
    name: "kustomization flow entry",
    text: "images: [{ name: shop/api }]\n",
    image: "shop/api",
    ref: "shop/api:v2",
    expected: "images: [{ name: shop/api, newTag: v2 }]\n",
    changed: 1,
  },
  {
    name: "a tag YAML would read as a number is quoted",
    text: "images:\n  - name: shop/api\n    newTag: v1\n",
    image: "shop/api",
    ref: "shop/api:1.10",
    expected: 'images:\n  - name: shop/api\n    newTag: "1.10"\n',
    changed: 1,
  },
];

describe("writeBackImage: only the image lines change", () => {
  it.each(cases)("$name", ({ text, image, ref, expected, changed }) => {
    const result = writeBackImage("envs/dev/web/deployment.yaml", text, image, ref);
    expect(result.text).toBe(expected);
    expect(result.changed).toBe(changed);
    const before = text.split("\n");
    const after = result.text.split("\n");
    const changedLines = after.filter((line, i) => line !== before[i]).length;
    // A minimal diff: same line count unless a key was inserted, and only as many lines differ as fields changed.
    expect(changedLines).toBeLessThanOrEqual(Math.max(changed, 1) + (after.length - before.length) * 99);
    if (after.length === before.length) expect(changedLines).toBe(changed);
  });
});

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isSlipwayError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("no error");
}

describe("writeBackImage errors", () => {
  const table: [string, string, string, string, { code: string; message: string }][] = [
    ["no matching image", "containers:\n  - image: shop/api:v1\n", "shop/web", "shop/web:v2", { code: "NOT_FOUND", message: "envs/dev/web/deployment.yaml has no image field for shop/web" }],
    ["a longer name is another image", "containers:\n  - image: shop/web-admin:v1\n", "shop/web", "shop/web:v2", { code: "NOT_FOUND", message: "envs/dev/web/deployment.yaml has no image field for shop/web" }],
    ["another registry is another image", "containers:\n  - image: a.example.com/shop/web:v1\n", "b.example.com/shop/web", "b.example.com/shop/web:v2", { code: "NOT_FOUND", message: "envs/dev/web/deployment.yaml has no image field for b.example.com/shop/web" }],
    ["image text outside containers", "metadata:\n  annotations:\n    image: shop/web:v1\n", "shop/web", "shop/web:v2", { code: "NOT_FOUND", message: "envs/dev/web/deployment.yaml has no image field for shop/web" }],
    ["invalid YAML", "containers:\n  - image: [shop/web:v1\n", "shop/web", "shop/web:v2", { code: "MANIFEST_INVALID", message: "envs/dev/web/deployment.yaml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]" }],
    ["a reference without tag or digest", "containers:\n  - image: shop/web:v1\n", "shop/web", "shop/web", { code: "REQUEST_INVALID", message: '"shop/web" needs a tag or a digest (registry/name:vX.Y.Z or registry/name@sha256:…)' }],
    ["a reference to another image", "containers:\n  - image: shop/web:v1\n", "shop/web", "shop/api:v2", { code: "REQUEST_INVALID", message: '"shop/api:v2" is not an image of shop/web' }],
  ];
  it.each(table)("%s", (_name, text, image, ref, expected) => {
    expect(thrown(() => writeBackImage("envs/dev/web/deployment.yaml", text, image, ref))).toEqual(expected);
  });
});
