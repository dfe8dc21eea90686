/** Sync controller test harness: a bare env repo with a working clone (real git), the web app's manifests, and a local runtime. */

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { webApplicationYaml, webDeploymentYaml, yamlFlag } from "../../support/delivery-manifests";

const run = promisify(execFile);

export const serverScript = fileURLToPath(new URL("../../fixtures/sync/server.mjs", import.meta.url));
export const smokeScript = fileURLToPath(new URL("../../fixtures/sync/smoke.mjs", import.meta.url));

export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Mona Lisa",
  GIT_AUTHOR_EMAIL: "mona@example.com",
  GIT_COMMITTER_NAME: "Mona Lisa",
  GIT_COMMITTER_EMAIL: "mona@example.com",
};

export async function gitIn(dir: string, ...args: string[]): Promise<string> {
  try {
    return (await run("git", args, { cwd: dir, env: gitEnv })).stdout;
  } catch (error) {
    throw new Error(`git ${args.join(" ")} in ${dir}: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

export interface EnvRepo {
  root: string;
  bare: string;
  clone: string;
  /** Writes files into the clone, commits them and pushes; returns the new commit. */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  head(): Promise<string>;
  remove(): Promise<void>;
}

export async function createEnvRepo(): Promise<EnvRepo> {
  const root = await mkdtemp(join(tmpdir(), "slipway-sync-"));
  const bare = join(root, "deploy.git");
  const clone = join(root, "work");
  await gitIn(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
  await gitIn(root, "clone", "--quiet", bare, clone);
  await gitIn(clone, "checkout", "--quiet", "-B", "main");
  await gitIn(clone, "config", "commit.gpgsign", "false");
  return {
    root,
    bare,
    clone,
    async push(files, message) {
      // Another writer (the controller's revert) may have moved main: start from it.
      const remote = (await gitIn(clone, "ls-remote", "origin", "refs/heads/main")).trim();
      if (remote !== "") {
        await gitIn(clone, "fetch", "--quiet", "origin", "main");
        await gitIn(clone, "reset", "--quiet", "--hard", "origin/main");
      }
      for (const [path, text] of Object.entries(files)) {
        const full = join(clone, path);
        if (text === null) await rm(full, { force: true });
        else {
          await mkdir(dirname(full), { recursive: true });
          await writeFile(full, text);
        }
      }
      await gitIn(clone, "add", "--all");
      await gitIn(clone, "commit", "--quiet", "-m", message);
      await gitIn(clone, "push", "--quiet", "origin", "HEAD:refs/heads/main");
      return (await gitIn(clone, "rev-parse", "HEAD")).trim();
    },
    async head() {
      return (await gitIn(bare, "rev-parse", "refs/heads/main")).trim();
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export const application = webApplicationYaml({ name: "web-dev", repo: "shop/deploy", env: "dev", destination: "name: local" });

export interface WebOptions {
  version: string;
  broken?: boolean;
  replicas?: number;
  progressDeadlineSeconds?: number;
}

/** The web Deployment running test/fixtures/sync/server.mjs as example/web:VERSION (BROKEN=1 never gets ready). */
export function webDeployment(options: WebOptions): string {
  return webDeploymentYaml({
    image: `example/web:${options.version}`,
    replicas: options.replicas ?? 3,
    progressDeadlineSeconds: options.progressDeadlineSeconds ?? 60,
    terminationGracePeriodSeconds: 2,
    rollingUpdate: "plain",
    command: [JSON.stringify(process.execPath), JSON.stringify(serverScript)],
    env: { VERSION: options.version, BROKEN: yamlFlag(options.broken) },
    readiness: { failureThreshold: 1 },
  });
}

export { webIngressYaml as webIngress, webServiceYaml as webService } from "../../support/delivery-manifests";

export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
