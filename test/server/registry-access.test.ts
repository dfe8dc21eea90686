import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { startServer, type RunningServer } from "../../src/server/up";

describe("the embedded registry on the server uses slipway accounts and repository roles", () => {
  let root: string;
  let server: RunningServer;
  let admin: string;
  let store: OciStore;
  const registry = () => server.url.replace(/^http:\/\//, "");

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    return (await response.json()) as Record<string, unknown>;
  };
  const userToken = async (name: string): Promise<string> => {
    await api(admin, "POST", "/users", { name });
    return (await api(admin, "POST", `/users/${name}/tokens`, {})).token as string;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "slipway-registry-access-"));
    server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined });
    admin = readFileSync(join(root, "data", "admin.token"), "utf8").trim();
    store = await OciStore.open(join(root, "local-oci"));
    mkdirSync(join(root, "rootfs", "app"), { recursive: true });
    writeFileSync(join(root, "rootfs", "app", "hello.txt"), "hello\n");
    await importRootFilesystem(store, { source: join(root, "rootfs"), tag: "hello:v1.0.0" });
    await api(admin, "POST", "/repos", { name: "acme/shop" });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("lets a developer of acme/shop push acme/shop/web and a viewer pull it; nobody else", async () => {
    const dev = await userToken("dev");
    const viewer = await userToken("viewer");
    const stranger = await userToken("stranger");
    await api(admin, "PUT", "/repos/acme/shop/members/dev", { role: "developer" });
    await api(admin, "PUT", "/repos/acme/shop/members/viewer", { role: "viewer" });

    const asViewer = new RegistryClient({ registry: registry(), credentials: { username: "viewer", password: viewer } });
    await expect(pushImageFromStore(store, "hello", "v1.0.0", asViewer, "acme/shop/web", ["v1.0.0"])).rejects.toThrow();

    const asDev = new RegistryClient({ registry: registry(), credentials: { username: "dev", password: dev } });
    await pushImageFromStore(store, "hello", "v1.0.0", asDev, "acme/shop/web", ["v1.0.0", "sha-abc1234"]);
    expect(await asViewer.tagExists("acme/shop/web", "v1.0.0")).toBe(true);
    expect(await asViewer.tagExists("acme/shop/web", "v9.9.9")).toBe(false);

    const asStranger = new RegistryClient({ registry: registry(), credentials: { username: "stranger", password: stranger } });
    await expect(asStranger.tagExists("acme/shop/web", "v1.0.0")).rejects.toThrow();
    const anonymous = await fetch(`${server.url}/v2/acme/shop/web/tags/list`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    const wrong = await fetch(`${server.url}/v2/acme/shop/web/tags/list`, { headers: { authorization: `Basic ${Buffer.from("x:not-a-token").toString("base64")}` } });
    expect(wrong.status).toBe(401);
  });

  it("serves a public repository's images anonymously", async () => {
    await api(admin, "POST", "/repos", { name: "acme/open", public: true });
    const asAdmin = new RegistryClient({ registry: registry(), credentials: { username: "admin", password: admin } });
    await pushImageFromStore(store, "hello", "v1.0.0", asAdmin, "acme/open/web", ["v1.0.0"]);
    const anonymous = new RegistryClient({ registry: registry() });
    expect(await anonymous.tagExists("acme/open/web", "v1.0.0")).toBe(true);
  });
});
