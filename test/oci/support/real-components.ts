/**
 * Real peers for the registry tests: skopeo, Debian's docker-registry and the Docker Engine, started through
 * scripts/ when not running and stopped afterwards only if this test started them. A missing binary skips the
 * tests with a warning, unless SLIPWAY_REQUIRE_DOCKER=1 (CI), where it fails them.
 */

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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

function startWithScript(script: string, variable: string, env: Record<string, string> = {}, lock?: string): StartedComponent {
  // -o: the script's background daemon must not inherit the lock's descriptor (it would hold the lock for its whole life).
  const command = lock ? ["flock", "-o", lock, "bash", join(repoRoot, "scripts", script)] : ["bash", join(repoRoot, "scripts", script)];
  const output = execFileSync(command[0], command.slice(1), { encoding: "utf8", env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"], timeout: 120_000 });
  const pid = Number(new RegExp(`${variable}=(\\d+)`).exec(output)?.[1]) || undefined;
  return { pid, stop: () => stopPid(pid) };
}

export function startDockerRegistry(port = 5000): StartedComponent {
  return startWithScript("start-registry.sh", "SLIPWAY_DOCKER_REGISTRY_PID", { SLIPWAY_REGISTRY_PORT: String(port) });
}

/** Test files using the engine at the same time (vitest runs files in parallel): one marker file per user. */
const dockerUsers = "/tmp/slipway-dockerd-users";
const dockerdStartedByTests = join(dockerUsers, "dockerd.pid");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * Starts dockerd unless one answers (under a lock, so parallel test files never start two); the last test
 * process using it stops the dockerd a test started, so one file finishing never pulls the engine from another.
 */
export function startDockerEngine(): StartedComponent {
  mkdirSync(dockerUsers, { recursive: true });
  const marker = join(dockerUsers, `${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(marker, "");
  const started = startWithScript("start-docker.sh", "SLIPWAY_DOCKERD_PID", {}, join(dockerUsers, ".lock"));
  if (started.pid) writeFileSync(dockerdStartedByTests, String(started.pid));
  return {
    pid: started.pid,
    async stop() {
      rmSync(marker, { force: true });
      const others = readdirSync(dockerUsers).filter((name) => /^\d+-/.test(name) && isAlive(Number(name.split("-")[0])));
      if (others.length > 0) return;
      let pid: number | undefined;
      try {
        pid = Number(readFileSync(dockerdStartedByTests, "utf8").trim()) || undefined;
      } catch {
        return;
      }
      rmSync(dockerdStartedByTests, { force: true });
      // A stale record must never end some other process that got the pid since.
      if (pid && commandOf(pid) === "dockerd") await stopPid(pid);
    },
  };
}

export function dockerCliPath(): string {
  return commandExists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
}
