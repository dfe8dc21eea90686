import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServiceImage } from "../../src/oci/builder/build-service-image";
import { buildImage } from "../../src/oci/builder/image-builder";
import { loadLocalImage } from "../../src/oci/local-images";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { assertInstalled, dockerCliPath, realComponentsRunnable, run, startDockerEngine, type StartedComponent } from "./support/real-components";
import { startTestRegistry, type TestRegistry } from "./support/registry-server";
import { makeServiceDir } from "./support/service-fixture";
import { freeLoopbackPort as freePort } from "../../src/runtime/local/ports";

const runnable = realComponentsRunnable(["dockerd", "docker"], "Docker Engine tests");
const repoRoot = join(import.meta.dirname, "..", "..");


describe.skipIf(!runnable)("Docker Engine pulls and runs a slipway-built image from the embedded registry", () => {
  let engine: StartedComponent;
  let registry: TestRegistry;
  let work: string;
  let dockerConfig: string;
  let imageRef = "";
  let store: OciStore;
  const containers: string[] = [];
  const docker = (args: string[]) => run(dockerCliPath(), args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, maxBuffer: 16 * 1024 * 1024 });

  beforeAll(async () => {
    assertInstalled(["dockerd", "docker"]);
    engine = startDockerEngine();
    registry = await startTestRegistry();
    work = await mkdtemp(join(tmpdir(), "slipway-docker-"));
    dockerConfig = join(work, "docker-config");
    store = await OciStore.open(join(work, "oci"));
    execFileSync("bash", [join(repoRoot, "scripts", "node-base-image.sh"), join(work, "rootfs")], { stdio: "ignore" });
    await importRootFilesystem(store, { source: join(work, "rootfs"), tag: "node-base:20" });
    const service = await makeServiceDir();
    await buildImage(store, { contextDir: service, tag: "hello:v1.0.0", base: "node-base:20", env: { APP_VERSION: "1.0.0" } });
    await rm(service, { recursive: true, force: true });
    const client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
    await pushImageFromStore(store, "hello", "v1.0.0", client, "team/hello", ["v1.0.0"]);
    imageRef = `${registry.host}/team/hello:v1.0.0`;
  }, 300_000);

  afterAll(async () => {
    for (const id of containers) await docker(["rm", "-f", id]).catch(() => undefined);
    if (imageRef) await docker(["rmi", "-f", imageRef]).catch(() => undefined);
    await registry?.close();
    await engine?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  }, 120_000);

  it("docker login (token flow) and docker pull work; a wrong token is refused", async () => {
    const login = async (token: string) => {
      await writeFile(join(work, "token"), token);
      return run("sh", ["-c", `${dockerCliPath()} login ${registry.host} -u ci --password-stdin < ${join(work, "token")}`], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
    };
    await expect(login("wrong-token")).rejects.toThrow(/unauthorized|401|invalid/i);
    await login("secret-token");
    const { stdout } = await docker(["pull", imageRef]);
    expect(stdout).toMatch(/Downloaded newer image|Image is up to date/);
  }, 300_000);

  it("docker run --network host serves HTTP from the image", async () => {
    const port = await freePort();
    const { stdout } = await docker(["run", "-d", "--network", "host", "-e", `PORT=${port}`, imageRef]);
    const id = stdout.trim();
    containers.push(id);
    let body: unknown;
    for (let i = 0; i < 100 && body === undefined; i++) {
      body = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.json(), () => undefined);
      if (body === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toEqual({ service: "hello", version: "1.0.0", path: "/health" });
    await docker(["rm", "-f", id]);
    containers.splice(containers.indexOf(id), 1);
  }, 120_000);

  it("builds a service with a Dockerfile through the engine and brings the image into the store", async () => {
    const context = join(work, "dockerfile-service");
    await rm(context, { recursive: true, force: true });
    execFileSync("mkdir", ["-p", context]);
    await writeFile(join(context, "Dockerfile"), `FROM ${imageRef}\nCOPY extra.txt /app/extra.txt\nENV FROM_DOCKERFILE=1\n`);
    await writeFile(join(context, "extra.txt"), "built by docker\n");
    const built = await buildServiceImage(store, { contextDir: context, tag: "hello-docker:v1", revision: "feedbee" });
    expect(built.engine).toBe("docker");
    const image = await loadLocalImage(store, "hello-docker:v1");
    expect(image.config.config?.Env).toContain("FROM_DOCKERFILE=1");
    expect(image.config.config?.Labels?.["org.opencontainers.image.revision"]).toBe("feedbee");
    expect(image.image.layers.length).toBe(image.config.rootfs.diff_ids.length);
    expect(image.image.layers.length).toBeGreaterThanOrEqual(4);
  }, 300_000);
});
