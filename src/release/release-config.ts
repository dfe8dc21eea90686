/** The release configuration (`slipway.release.json` or `release:` in `.slipway/config.yml`), validated. */

import semver from "semver";
import { SlipwayError } from "../core/errors";

export interface ServiceConfig {
  name: string;
  /** Repo-relative directory, `.` for the whole repository. */
  path: string;
  firstVersion?: string;
  tagPrefix?: string;
}

export interface PrereleaseChannel {
  /** Branch name or glob with `*` (`release/*`). */
  branch: string;
  /** Prerelease identifier: `rc` gives `1.2.0-rc.N`. */
  channel: string;
}

export interface ReleaseConfig {
  /** Services as configured; a path ending in `/*` stands for each directory below it. */
  services: ServiceConfig[];
  firstVersion: string;
  preMajor: boolean;
  prerelease: PrereleaseChannel[];
  /** Base URL for commit, pull-request and compare links in changelogs. */
  repositoryUrl?: string;
  /** When the next version is tagged on a commit outside HEAD's history: fail, or bump past it. */
  onVersionTaken: "fail" | "skip";
  changelogFile: string;
}

export const defaultReleaseConfig: ReleaseConfig = {
  services: [{ name: "", path: "." }],
  firstVersion: "1.0.0",
  preMajor: true,
  prerelease: [{ branch: "release/*", channel: "rc" }],
  onVersionTaken: "fail",
  changelogFile: "CHANGELOG.md",
};

type Fields = Record<string, unknown>;

function invalid(source: string, field: string, problem: string): SlipwayError {
  return new SlipwayError("CONFIG_INVALID", `${source}: ${field} ${problem}`, { details: { file: source, field } });
}

function optionalString(object: Fields, key: string, source: string, prefix: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw invalid(source, `${prefix}${key}`, "must be a non-empty string");
  return value;
}

function versionField(object: Fields, key: string, source: string, prefix: string): string | undefined {
  const value = optionalString(object, key, source, prefix);
  if (value !== undefined && !semver.valid(value)) throw invalid(source, `${prefix}${key}`, `must be a semantic version such as 1.0.0 (got '${value}')`);
  return value;
}

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const knownKeys = new Set(["services", "firstVersion", "preMajor", "prerelease", "repositoryUrl", "onVersionTaken", "changelogFile"]);
const knownServiceKeys = new Set(["name", "path", "firstVersion", "tagPrefix"]);

/** Validates parsed JSON/YAML; every error names the file and the field. */
export function parseReleaseConfig(value: unknown, source: string): ReleaseConfig {
  if (!isFields(value)) throw invalid(source, "(root)", "must be an object");
  for (const key of Object.keys(value)) if (!knownKeys.has(key)) throw invalid(source, key, `is not a known field (known: ${[...knownKeys].join(", ")})`);
  const config: ReleaseConfig = { ...defaultReleaseConfig };
  if (value.services !== undefined) config.services = parseServices(value.services, source);
  config.firstVersion = versionField(value, "firstVersion", source, "") ?? config.firstVersion;
  if (value.preMajor !== undefined) {
    if (typeof value.preMajor !== "boolean") throw invalid(source, "preMajor", "must be true or false");
    config.preMajor = value.preMajor;
  }
  if (value.prerelease !== undefined) config.prerelease = parsePrerelease(value.prerelease, source);
  config.repositoryUrl = optionalString(value, "repositoryUrl", source, "")?.replace(/\/+$/, "");
  const onTaken = value.onVersionTaken;
  if (onTaken !== undefined && onTaken !== "fail" && onTaken !== "skip") throw invalid(source, "onVersionTaken", "must be 'fail' or 'skip'");
  config.onVersionTaken = onTaken ?? config.onVersionTaken;
  config.changelogFile = optionalString(value, "changelogFile", source, "") ?? config.changelogFile;
  return config;
}

function parseServices(value: unknown, source: string): ServiceConfig[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(source, "services", "must be a non-empty list of { path, name?, firstVersion?, tagPrefix? }");
  const names = new Set<string>();
  return value.map((entry: unknown, index) => {
    const prefix = `services[${index}].`;
    if (!isFields(entry)) throw invalid(source, `services[${index}]`, "must be an object with a path");
    for (const key of Object.keys(entry)) if (!knownServiceKeys.has(key)) throw invalid(source, `${prefix}${key}`, "is not a known field");
    const path = normalizeServicePath(optionalString(entry, "path", source, prefix) ?? "", source, `${prefix}path`);
    const name = optionalString(entry, "name", source, prefix) ?? (path.endsWith("/*") ? "" : defaultServiceName(path));
    if (name && names.has(name)) throw invalid(source, `${prefix}name`, `'${name}' is used by two services`);
    names.add(name);
    if (path.endsWith("/*") && entry.name !== undefined) throw invalid(source, `${prefix}name`, "cannot be set for a path ending in /* (each directory is named after itself)");
    const service: ServiceConfig = { name, path };
    service.firstVersion = versionField(entry, "firstVersion", source, prefix);
    service.tagPrefix = optionalString(entry, "tagPrefix", source, prefix);
    return service;
  });
}

function normalizeServicePath(path: string, source: string, field: string): string {
  if (!path) throw invalid(source, field, "is required");
  const normalized = path.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "") || ".";
  if (normalized.startsWith("/") || normalized.split("/").includes("..")) throw invalid(source, field, `must be a directory inside the repository (got '${path}')`);
  if (normalized.includes("*") && !/^[^*]+\/\*$/.test(normalized)) throw invalid(source, field, "may only use * as its last segment (services/*)");
  return normalized;
}

function defaultServiceName(path: string): string {
  return path === "." ? "" : (path.split("/").pop() ?? path);
}

function parsePrerelease(value: unknown, source: string): PrereleaseChannel[] {
  if (!isFields(value)) throw invalid(source, "prerelease", "must map branch patterns to channel names, e.g. { \"release/*\": \"rc\" }");
  return Object.entries(value).map(([branch, channel]) => {
    if (typeof channel !== "string" || !/^[0-9A-Za-z-]+$/.test(channel)) throw invalid(source, `prerelease.${branch}`, "must be a prerelease identifier such as rc or beta");
    return { branch, channel };
  });
}

/** Expands `dir/*` services with the directories found under `dir` (sorted, each named after itself). */
export function expandServices(services: ServiceConfig[], directoriesUnder: (dir: string) => string[]): ServiceConfig[] {
  const expanded: ServiceConfig[] = [];
  for (const service of services) {
    if (!service.path.endsWith("/*")) {
      expanded.push(service);
      continue;
    }
    const parent = service.path.slice(0, -2);
    for (const dir of [...directoriesUnder(parent)].sort()) {
      expanded.push({ ...service, name: dir, path: `${parent}/${dir}` });
    }
  }
  return expanded;
}

/** A single-service repository: one service at the root. Its tags are plain `vX.Y.Z`. */
export function isSingleService(services: ServiceConfig[]): boolean {
  return services.length === 1 && services[0].path === ".";
}

export function tagPrefixFor(service: ServiceConfig, single: boolean): string {
  if (service.tagPrefix !== undefined) return service.tagPrefix;
  return single ? "v" : `${service.name}/v`;
}

/** The channel for a branch: `--prerelease` wins, then the first matching configured pattern. */
export function channelForBranch(branch: string | undefined, channels: PrereleaseChannel[], forced?: string): string | undefined {
  if (forced) return forced;
  if (!branch) return undefined;
  return channels.find((entry) => globMatches(entry.branch, branch))?.channel;
}

function globMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(value);
}
