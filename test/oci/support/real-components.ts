/**
 * Real peers for the registry tests: skopeo, Debian's docker-registry and the Docker Engine, started through
 * scripts/ when not running and stopped afterwards only if this test started them. A missing binary skips the
 * tests with a warning, unless SLIPWAY_REQUIRE_DOCKER=1 (CI), where it fails them.
 */

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

export const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, "..", "..", "..");
export const required = process.env.SLIPWAY_REQUIRE_DOCKER === "1";

export function commandExists(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** True when the tests should run: the binaries are there, or CI requires them (then a missing one fails in beforeAll). */
export function realComponentsRunnable(names: string[], what: string): boolean {
  const missing = names.filter((name) => !commandExists(name));
  if (missing.length === 0 || required) return true;
  console.warn(`skipping ${what}: ${missing.join(", ")} not installed (apt-get install -y docker.io skopeo docker-registry); set SLIPWAY_REQUIRE_DOCKER=1 to fail instead`);
  return false;
}

export function assertInstalled(names: string[]): void {
  const missing = names.filter((name) => !commandExists(name));
  if (missing.length > 0) throw new Error(`SLIPWAY_REQUIRE_DOCKER=1 but ${missing.join(", ")} is not installed`);
}

export interface StartedComponent {
  /** Set when this test started the process (and so must stop it). */
  pid?: number;
  stop(): Promise<void>;
}

async function stopPid(pid: number | undefined): Promise<void> {
  if (!pid) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function startWithScript(script: string, variable: string, env: Record<string, string> = {}): StartedComponent {
  const output = execFileSync("bash", [join(repoRoot, "scripts", script)], { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"], timeout: 120_000 });
  const pid = Number(new RegExp(`${variable}=(\\d+)`).exec(output)?.[1]) || undefined;
  return { pid, stop: () => stopPid(pid) };
}

export function startDockerRegistry(port = 5000): StartedComponent {
  return startWithScript("start-registry.sh", "SLIPWAY_DOCKER_REGISTRY_PID", { SLIPWAY_REGISTRY_PORT: String(port) });
}

export function startDockerEngine(): StartedComponent {
  return startWithScript("start-docker.sh", "SLIPWAY_DOCKERD_PID");
}

export function dockerCliPath(): string {
  return commandExists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
}
