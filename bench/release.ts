/**
 * bench/release: next version + changelog over a synthetic 10,000-commit history, slipway's planRelease
 * against conventional-recommended-bump (conventionalcommits preset) in the same process; a single-service
 * repository and a three-service monorepo (the reference then runs once per service with its path).
 * Usage: node dist/bench/release.js [--record]   (--record appends the figures to bench/RESULTS.md)
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bumper } from "conventional-recommended-bump";
import { planRelease } from "../src/release";
import { machineDescription, recordResults } from "./record";

const commitCount = 10_000;
const rounds = 5;
const services = ["api", "web", "worker"];
const kinds = ["feat", "fix", "perf", "chore", "docs", "refactor", "fix", "test"];

/** One fast-import stream: a root commit (tagged), then `commitCount` conventional commits. */
function historyStream(monorepo: boolean): string {
  const parts: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const config = JSON.stringify({ services: services.map((name) => ({ path: `services/${name}` })) });
  parts.push(`commit refs/heads/main\nmark :1\ncommitter Bench <bench@localhost> 1700000000 +0000\n${data("chore: initial")}`);
  parts.push(monorepo ? `M 644 inline slipway.release.json\n${data(config)}` : `M 644 inline README.md\n${data("# bench")}`);
  for (let i = 0; i < commitCount; i += 1) {
    const kind = kinds[i % kinds.length];
    const service = services[i % services.length];
    const pr = i % 5 === 0 ? ` (#${i})` : "";
    const body = i % 7 === 0 ? `\n\nLonger explanation of change ${i}.\n\nRefs #${i % 300}` : "";
    const message = `${kind}(${service}): change number ${i}${pr}${body}`;
    const path = monorepo ? `services/${service}/src/file-${i % 40}.ts` : `src/${service}/file-${i % 40}.ts`;
    parts.push(`commit refs/heads/main\nmark :${i + 2}\ncommitter Bench <bench@localhost> ${1700000001 + i} +0000\n${data(message)}from :${i + 1}\nM 644 inline ${path}\n${data(`export const v = ${i};`)}`);
  }
  const tags = monorepo ? services.map((name) => `${name}/v1.0.0`) : ["v1.0.0"];
  for (const tag of tags) parts.push(`reset refs/tags/${tag}\nfrom :1\n`);
  return parts.join("");
}

function makeRepo(monorepo: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), "slipway-bench-release-"));
  const git = (args: string[], input?: string): void => void execFileSync("git", args, { cwd: dir, input, stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 28 });
  git(["init", "-q", "-b", "main"]);
  git(["fast-import", "--quiet"], historyStream(monorepo));
  git(["checkout", "-q", "-f", "main"]);
  return dir;
}

async function slipwayBumps(dir: string): Promise<string[]> {
  const plans = await planRelease(dir, { date: new Date("2026-01-14T00:00:00Z") });
  if (plans.some((plan) => plan.changelog.length === 0)) throw new Error("expected a changelog for every service");
  return plans.map((plan) => `${plan.service}:${plan.bump}`);
}

async function referenceBumps(dir: string, monorepo: boolean): Promise<string[]> {
  const targets = monorepo ? services.map((name) => ({ name, tag: `${name}/v1.0.0`, path: `services/${name}` })) : [{ name: "", tag: "v1.0.0", path: undefined }];
  const results: string[] = [];
  for (const target of targets) {
    const bumper = new Bumper(dir).loadPreset("conventionalcommits").tag(target.tag);
    if (target.path) bumper.commits({ path: target.path });
    const result = await bumper.bump();
    results.push(`${target.name}:${"releaseType" in result ? result.releaseType : "none"}`);
  }
  return results;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Measured {
  slipwayMs: number;
  referenceMs: number;
  /** The first call in the process: what one CI invocation pays (module loading, JIT, cold caches). */
  slipwayFirstMs: number;
  referenceFirstMs: number;
  agree: boolean;
}

async function measure(monorepo: boolean): Promise<Measured> {
  const dir = makeRepo(monorepo);
  try {
    const slipwayFirst = await timed(() => slipwayBumps(dir));
    const referenceFirst = await timed(() => referenceBumps(dir, monorepo));
    const slipwayTimes: number[] = [];
    const referenceTimes: number[] = [];
    let agree = true;
    for (let round = 0; round < rounds; round += 1) {
      const ours = await timed(() => slipwayBumps(dir));
      const theirs = await timed(() => referenceBumps(dir, monorepo));
      slipwayTimes.push(ours.ms);
      referenceTimes.push(theirs.ms);
      agree &&= ours.value.map((v) => v.split(":")[1]).join() === theirs.value.map((v) => v.split(":")[1]).join();
    }
    return { slipwayMs: median(slipwayTimes), referenceMs: median(referenceTimes), slipwayFirstMs: slipwayFirst.ms, referenceFirstMs: referenceFirst.ms, agree };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench/release: ${commitCount} commits, median of ${rounds}; ${machineDescription()}`);
  const figures: string[][] = [];
  for (const monorepo of [false, true]) {
    const label = monorepo ? "monorepo, 3 services" : "single service";
    const { slipwayMs, referenceMs, slipwayFirstMs, referenceFirstMs, agree } = await measure(monorepo);
    const ratio = referenceMs / slipwayMs;
    const firstRatio = referenceFirstMs / slipwayFirstMs;
    console.log(`${label}: slipway ${slipwayMs.toFixed(1)} ms (version + changelog), conventional-recommended-bump ${referenceMs.toFixed(1)} ms (bump only) → ${ratio.toFixed(1)}× faster; bumps agree: ${agree}`);
    console.log(`${label}, first call in the process: slipway ${slipwayFirstMs.toFixed(1)} ms, reference ${referenceFirstMs.toFixed(1)} ms → ${firstRatio.toFixed(1)}×`);
    figures.push(
      [`${label}: slipway planRelease, version + changelog (median of ${rounds})`, `${slipwayMs.toFixed(1)} ms`],
      [`${label}: conventional-recommended-bump${monorepo ? ", once per service path" : ""} (median of ${rounds})`, `${referenceMs.toFixed(1)} ms`],
      [`${label}: ratio (target ≥ 10×)`, `${ratio.toFixed(1)}×`],
      [`${label}: first call in the process, slipway / reference`, `${slipwayFirstMs.toFixed(1)} ms / ${referenceFirstMs.toFixed(1)} ms (${firstRatio.toFixed(1)}×)`],
      [`${label}: bumps agree`, String(agree)],
    );
  }
  if (process.argv.includes("--record")) recordResults("release", figures);
}

await main();
