/** Promotion tests: a bare env repo made from test/fixtures/env-repo (images on the test registry, plus N extra services) and a real embedded registry. */

import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { RegistryClient } from "../../src/oci/client/registry-client";
import { pushImageFromStore } from "../../src/oci/client/image-transfer";
import { importRootFilesystem } from "../../src/oci/image-import";
import { OciStore } from "../../src/oci/oci-store";
import { startServer, type RunningServer } from "../../src/server/up";

const run = promisify(execFile);
const fixture = fileURLToPath(new URL("../fixtures/env-repo", import.meta.url));

/** Fixed identity and no system config: every git call of the test and of promote() sees it. */
export function useGitIdentity(): void {
  Object.assign(process.env, {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Promote Test",
    GIT_AUTHOR_EMAIL: "promote@example.com",
    GIT_COMMITTER_NAME: "Promote Test",
    GIT_COMMITTER_EMAIL: "promote@example.com",
  });
}

export async function gitIn(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export function extraService(host: string, name: string): string {
  return [
    `# ${name} in staging.`,
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    `  name: ${name}`,
    "spec:",
    "  replicas: 1 # one is plenty",
    "  selector:",
    `    matchLabels: { app: ${name} }`,
    "  template:",
    "    metadata:",
    `      labels: { app: ${name} }`,
    "    spec:",
    "      containers:",
    `        - name: ${name}`,
    `          image: ${host}/acme/shop/${name}:v1.0.0 # promoted by slipway`,
    "          ports:",
    "            - containerPort: 3000",
    "",
  ].join("\n");
}

async function rewriteHosts(dir: string, host: string): Promise<void> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    await writeFile(path, (await readFile(path, "utf8")).replaceAll("localhost:5000/shop/", `${host}/acme/shop/`));
  }
}

export interface TestEnvRepo {
  root: string;
  bare: string;
  /** The file at the branch head of the bare repo. */
  show(path: string, revision?: string): Promise<string>;
  head(): Promise<string>;
  count(): Promise<number>;
  remove(): Promise<void>;
}

/** The fixture with its images on `host`, plus `services` extra Deployments in envs/staging/, as a bare repo with one commit on main. */
export async function createTestEnvRepo(host: string, services: string[] = []): Promise<TestEnvRepo> {
  const root = await mkdtemp(join(tmpdir(), "slipway-promote-test-"));
  const work = join(root, "work");
  const bare = join(root, "deploy.git");
  await cp(fixture, work, { recursive: true });
  await rewriteHosts(work, host);
  for (const name of services) {
    await mkdir(join(work, "envs", "staging", name), { recursive: true });
    await writeFile(join(work, "envs", "staging", name, "deployment.yaml"), extraService(host, name));
  }
  await gitIn(work, "init", "--quiet", "--initial-branch=main");
  await gitIn(work, "add", "--all");
  await gitIn(work, "commit", "--quiet", "--no-gpg-sign", "-m", "environments");
  await gitIn(root, "clone", "--quiet", "--bare", work, bare);
  return {
    root,
    bare,
    show: (path, revision = "refs/heads/main") => gitIn(bare, "show", `${revision}:${path}`),
    head: async () => (await gitIn(bare, "rev-parse", "refs/heads/main")).trim(),
    count: async () => Number((await gitIn(bare, "rev-list", "--count", "refs/heads/main")).trim()),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export interface TestRegistry {
  server: RunningServer;
  host: string;
  client: RegistryClient;
  /** The admin token: a password the registry accepts. */
  token: string;
  /** Pushes the test image as acme/shop/<name> under `tags`. */
  push(name: string, tags: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startTestRegistry(): Promise<TestRegistry> {
  const root = await mkdtemp(join(tmpdir(), "slipway-promote-registry-"));
  const server = await startServer({ dataDir: join(root, "data"), port: 0, log: () => undefined });
  const admin = (await readFile(join(root, "data", "admin.token"), "utf8")).trim();
  await fetch(`${server.url}/api/v1/repos`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ name: "acme/shop" }) });
  const store = await OciStore.open(join(root, "local-oci"));
  await mkdir(join(root, "rootfs", "app"), { recursive: true });
  await writeFile(join(root, "rootfs", "app", "hello.txt"), "hello\n");
  await importRootFilesystem(store, { source: join(root, "rootfs"), tag: "hello:v1.0.0" });
  const host = server.url.replace(/^http:\/\//, "");
  const client = new RegistryClient({ registry: host, credentials: { username: "admin", password: admin } });
  return {
    server,
    host,
    client,
    token: admin,
    async push(name, tags) {
      await pushImageFromStore(store, "hello", "v1.0.0", client, `acme/shop/${name}`, tags);
    },
    async close() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
