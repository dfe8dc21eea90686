import { Command } from "commander";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerImageCommand } from "../../src/cli/commands/image";
import type { BuiltinActionContext } from "../../src/workflow/actions/action-request";
import { buildImageAction } from "../../src/oci/build-image-action";
import { pushImageAction } from "../../src/oci/push-image-action";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { startTestRegistry, type TestRegistry } from "./support/registry-server";
import { makeServiceDir } from "./support/service-fixture";

let work: string;
let data: string;
let service: string;
let registry: TestRegistry;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "slipway-image-cli-"));
  data = join(work, "data");
  service = await makeServiceDir();
  registry = await startTestRegistry();
  await mkdir(join(work, "rootfs", "etc"), { recursive: true });
  await writeFile(join(work, "rootfs", "etc", "os-release"), "ID=slipway-test\n");
});
afterAll(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
  await rm(service, { recursive: true, force: true });
});

async function slipway(...args: string[]): Promise<{ stdout: string; code: number }> {
  const program = new Command("slipway").exitOverride();
  registerImageCommand(program);
  let stdout = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(["node", "slipway", ...args, "--data", data]);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout, code };
}

describe("slipway image", () => {
  it("imports, builds, lists, inspects and pushes", async () => {
    expect((await slipway("image", "import", join(work, "rootfs"), "--tag", "mini-base:1")).code).toBe(0);
    const built = await slipway("image", "build", service, "--tag", `${registry.host}/team/cli:v1.0.0`, "--base", "mini-base:1", "--port", "8080", "--version", "1.0.0", "--json");
    expect(built.code).toBe(0);
    const result = JSON.parse(built.stdout) as { digest: string; layers: { role: string }[]; engine: string };
    expect(result.layers.map((layer) => layer.role)).toEqual(["base", "dependencies", "sources"]);
    expect(result.engine).toBe("slipway");
    const listed = JSON.parse((await slipway("image", "ls", "--json")).stdout) as { repository: string; tag: string }[];
    expect(listed.map((entry) => `${entry.repository}:${entry.tag}`)).toEqual([`${registry.host}/team/cli:v1.0.0`, "mini-base:1"]);
    const inspected = JSON.parse((await slipway("image", "inspect", `${registry.host}/team/cli:v1.0.0`, "--json")).stdout) as { digest: string; config: { config: { Labels: Record<string, string> } } };
    expect(inspected.digest).toBe(result.digest);
    expect(inspected.config.config.Labels["org.opencontainers.image.version"]).toBe("1.0.0");
    const pushed = await slipway("image", "push", `${registry.host}/team/cli:v1.0.0`, "--creds", "ci:secret-token", "--json");
    expect(pushed.code).toBe(0);
    const client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
    expect((await client.headManifest("team/cli", "v1.0.0"))?.digest).toBe(result.digest);
  });

  it("fails with a clear message for an unknown image", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect((await slipway("image", "inspect", "nothing:here")).code).toBe(1);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/no local image nothing:here/);
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("slipway/build-image and slipway/push-image actions", () => {
  function actionContext(inputs: Record<string, string>, lines: string[]): BuiltinActionContext {
    const request = { execution: { options: { dataDir: data }, dirs: { workspace: service } }, contexts: { github: { sha: "89abcdef0123456789" } } };
    return { request, inputs, log: async (line: string) => void lines.push(line), addPost: () => undefined } as unknown as BuiltinActionContext;
  }

  it("build then push tags vX.Y.Z and sha-<7>", async () => {
    const lines: string[] = [];
    const built = await buildImageAction.run(actionContext({ context: ".", image: `${registry.host}/team/action`, version: "2.1.0", base: "mini-base:1", engine: "slipway" }, lines));
    expect(built.outcome).toBe("success");
    expect(built.outputs.tags).toBe("v2.1.0,sha-89abcde");
    const pushed = await pushImageAction.run(actionContext({ image: `${registry.host}/team/action`, version: "2.1.0", token: "secret-token", "protected-environment": "true" }, lines));
    expect(pushed.outcome).toBe("success");
    expect(pushed.outputs.digest).toBe(built.outputs.digest);
    const client = new RegistryClient({ registry: registry.host, credentials: { username: "ci", password: "secret-token" } });
    expect(await client.listAllTags("team/action")).toEqual(["sha-89abcde", "v2.1.0"]);
  });

  it("refuses latest for a protected environment", async () => {
    const lines: string[] = [];
    const refused = await pushImageAction.run(actionContext({ image: `${registry.host}/team/action`, tags: "latest", token: "secret-token", "protected-environment": "true" }, lines));
    expect(refused.outcome).toBe("failure");
    expect(lines.join("\n")).toMatch(/latest.*protected/);
  });
});
