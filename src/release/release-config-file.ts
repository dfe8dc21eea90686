/** Finds the release configuration: `slipway.release.json`, else `release:` in `.slipway/config.yml`, else one service at the root. */

import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { SlipwayError } from "../core/errors";
import { gitMaybe } from "../git/git-cli";
import { defaultReleaseConfig, expandServices, parseReleaseConfig, type ReleaseConfig } from "./release-config";

export const releaseConfigFile = "slipway.release.json";
export const slipwayConfigFile = ".slipway/config.yml";

/** Reads from the working copy when releasing its HEAD, else from the commit itself (bare repositories, other commits). */
async function readRepoFile(repoDir: string, head: string, path: string): Promise<string | undefined> {
  if (head === "HEAD" && existsSync(join(repoDir, ".git"))) {
    return readFile(join(repoDir, path), "utf8").catch(() => undefined);
  }
  return gitMaybe(["show", `${head}:${path}`], repoDir);
}

async function directoriesUnder(repoDir: string, head: string, dir: string): Promise<string[]> {
  if (head === "HEAD" && existsSync(join(repoDir, ".git"))) {
    const entries = await readdir(join(repoDir, dir), { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith(".")).map((entry) => entry.name);
  }
  const listing = await gitMaybe(["ls-tree", "-d", "--name-only", `${head}:${dir}`], repoDir);
  return (listing ?? "").split("\n").filter((name) => name && !name.startsWith("."));
}

export async function loadReleaseConfig(repoDir: string, head = "HEAD"): Promise<ReleaseConfig> {
  const config = await readConfig(repoDir, head);
  const globParents = config.services.filter((s) => s.path.endsWith("/*")).map((s) => s.path.slice(0, -2));
  if (globParents.length === 0) return config;
  const listings = new Map<string, string[]>();
  for (const parent of globParents) listings.set(parent, await directoriesUnder(repoDir, head, parent));
  const services = expandServices(config.services, (dir) => listings.get(dir) ?? []);
  if (services.length === 0) throw new SlipwayError("CONFIG_INVALID", `release services: no directories under ${globParents.join(", ")}`);
  return { ...config, services };
}

async function readConfig(repoDir: string, head: string): Promise<ReleaseConfig> {
  const json = await readRepoFile(repoDir, head, releaseConfigFile);
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new SlipwayError("CONFIG_INVALID", `${releaseConfigFile}: not valid JSON (${(error as Error).message})`);
    }
    return parseReleaseConfig(parsed, releaseConfigFile);
  }
  const yaml = await readRepoFile(repoDir, head, slipwayConfigFile);
  if (yaml !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(yaml);
    } catch (error) {
      throw new SlipwayError("CONFIG_INVALID", `${slipwayConfigFile}: not valid YAML (${(error as Error).message})`);
    }
    const section = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).release : undefined;
    if (section !== undefined) return parseReleaseConfig(section, `${slipwayConfigFile} (release)`);
  }
  return defaultReleaseConfig;
}
