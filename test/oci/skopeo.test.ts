import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildImage } from "../../src/oci/builder/image-builder";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { assertInstalled, realComponentsRunnable, run, startDockerRegistry, type StartedComponent } from "./support/real-components";
import { startTestRegistry, type TestRegistry } from "./support/registry-server";
import { makeServiceDir } from "./support/service-fixture";

const runnable = realComponentsRunnable(["skopeo", "docker-registry"], "skopeo tests");

describe.skipIf(!runnable)("skopeo against the embedded registry and Debian's docker-registry", () => {
  let registry: TestRegistry;
  let peer: StartedComponent;
  let work: string;
  let pushedDigest = "";
  const creds = "--src-creds=ci:secret-token";

  beforeAll(async () => {
    assertInstalled(["skopeo", "docker-registry"]);
    peer = startDockerRegistry(5000);
    registry = await startTestRegistry();
    work = await mkdtemp(join(tmpdir(), "slipway-skopeo-"));
    const local = await OciStore.open(join(work, "oci"));
    await importRootFilesystem(local, { source: join(import.meta.dirname, "support"), tag: "fixture-base:1" });
    const service = await makeServiceDir();
    await buildImage(local, { contextDir: service, tag: "hello:v1.0.0", base: "fixture-base:1", revision: "0123456", version: "1.0.0", exposedPorts: ["8080"] });
    await rm(service, { recursive: true, force: true });
    const client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
    pushedDigest = (await pushImageFromStore(local, "hello", "v1.0.0", client, "team/hello", ["v1.0.0", "sha-0123456"])).digest;
  });

  afterAll(async () => {
    await registry?.close();
    await peer?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function inspectDigest(reference: string, extra: string[] = []): Promise<string> {
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", ...extra, "--format", "{{.Digest}}", reference]);
    return stdout.trim();
  }

  it("skopeo inspect shows the config slipway wrote", async () => {
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", "--creds=ci:secret-token", "--config", `docker://${registry.host}/team/hello:v1.0.0`]);
    const config = JSON.parse(stdout) as { config: { Cmd: string[]; WorkingDir: string; Labels: Record<string, string>; ExposedPorts: Record<string, unknown> } };
    expect(config.config.Cmd).toEqual(["node", "server.js"]);
    expect(config.config.WorkingDir).toBe("/app");
    expect(config.config.ExposedPorts).toHaveProperty("8080/tcp");
    expect(config.config.Labels["org.opencontainers.image.revision"]).toBe("0123456");
    expect(await inspectDigest(`docker://${registry.host}/team/hello:sha-0123456`, ["--creds=ci:secret-token"])).toBe(pushedDigest);
  });

  it("skopeo copy to docker-registry and back keeps identical digests", async () => {
    await run("skopeo", ["copy", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", creds, `docker://${registry.host}/team/hello:v1.0.0`, "docker://127.0.0.1:5000/slipway-test/hello:v1.0.0"]);
    expect(await inspectDigest("docker://127.0.0.1:5000/slipway-test/hello:v1.0.0")).toBe(pushedDigest);
    await run("skopeo", ["copy", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-creds=ci:secret-token", "docker://127.0.0.1:5000/slipway-test/hello:v1.0.0", `docker://${registry.host}/team/back:v1.0.0`]);
    expect(await inspectDigest(`docker://${registry.host}/team/back:v1.0.0`, ["--creds=ci:secret-token"])).toBe(pushedDigest);
  });

  it("skopeo without credentials gets 401, with a wrong token too", async () => {
    await expect(run("skopeo", ["inspect", "--tls-verify=false", `docker://${registry.host}/team/hello:v1.0.0`])).rejects.toThrow(/401|unauthorized|authentication required/i);
    await expect(run("skopeo", ["inspect", "--tls-verify=false", "--creds=ci:wrong", `docker://${registry.host}/team/hello:v1.0.0`])).rejects.toThrow(/401|unauthorized|invalid credentials/i);
  });

  it("skopeo lists tags", async () => {
    const { stdout } = await run("skopeo", ["list-tags", "--tls-verify=false", "--creds=ci:secret-token", `docker://${registry.host}/team/hello`]);
    expect((JSON.parse(stdout) as { Tags: string[] }).Tags).toEqual(["sha-0123456", "v1.0.0"]);
  });
});
