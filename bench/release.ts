/**
 * bench/release: next version + changelog over a synthetic 10,000-commit history, slipway's planRelease
 * against conventional-recommended-bump (conventionalcommits preset) in the same process; a single-service
 * repository and a three-service monorepo (the reference then runs once per service with its path).
 * slipway is timed cold (no commit cache), warm (cache holds the history), after one new commit, and cache off.
 * Usage: node dist/bench/release.js [--record] [--verbose]   (--record appends the figures to bench/RESULTS.md;
 * --verbose prints every timed call of each block)
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bumper } from "conventional-recommended-bump";
import { planRelease } from "../src/release";
import { machineDescription, recordResults } from "./record";

const commitCount = 10_000;
const rounds = 11;
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

async function slipwayBumps(dir: string, cache = true): Promise<string[]> {
  const plans = await planRelease(dir, { date: new Date("2026-01-14T00:00:00Z"), cache });
  if (plans.some((plan) => plan.changelog.length === 0)) throw new Error("expected a changelog for every service");
  return plans.map((plan) => `${plan.service}:${plan.bump}`);
}

/** No commit cache: what the first run in a repository (or every run in a fresh clone) pays. */
function dropCache(dir: string): void {
  rmSync(join(dir, ".git", "slipway", "release-cache"), { recursive: true, force: true });
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
  /** Median ms: no cache (each run starts without one, and writes it). */
  coldMs: number;
  /** Median ms: the cache holds the history already (no new commits). */
  warmMs: number;
  /** Median ms: one new commit since the cached tip (the next push). */
  nextCommitMs: number;
  /** Median ms: the cache turned off (the previous code path). */
  uncachedMs: number;
  referenceMs: number;
  /** The first call in the process, without a cache: what one CI invocation in a fresh clone pays (module loading, JIT). */
  slipwayFirstMs: number;
  referenceFirstMs: number;
  agree: boolean;
}

/**
 * Each figure is a block of consecutive calls of one kind after three untimed calls of that kind, for slipway
 * and the reference alike: otherwise a call pays for collecting what the calls before it (the other tool's, or
 * another code path's) left behind, and a 12 ms call measured anywhere from 12 to 40 ms depending on what ran
 * before it. (A forced full collection before each call was tried: it made both slower, not steadier.)
 */
async function measure(monorepo: boolean): Promise<Measured> {
  const dir = makeRepo(monorepo);
  try {
    const slipwayFirst = await timed(() => slipwayBumps(dir));
    const referenceFirst = await timed(() => referenceBumps(dir, monorepo));
    const expected = referenceFirst.value.map((v) => v.split(":")[1]).join();
    let agree = slipwayFirst.value.map((v) => v.split(":")[1]).join() === expected;
    const block = async (run: () => Promise<string[]>, before: () => void = () => undefined): Promise<number> => {
      for (let warmUp = 0; warmUp < 3; warmUp += 1) {
        before();
        await run();
      }
      const times: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        before();
        const { ms, value } = await timed(run);
        times.push(ms);
        agree &&= value.map((v) => v.split(":")[1]).join() === expected;
      }
      if (process.argv.includes("--verbose")) console.log(`  ${times.map((t) => t.toFixed(1)).join(" ")} ms`);
      return median(times);
    };
    const referenceMs = await block(() => referenceBumps(dir, monorepo));
    const coldMs = await block(() => slipwayBumps(dir), () => dropCache(dir));
    const warmMs = await block(() => slipwayBumps(dir));
    const uncachedMs = await block(() => slipwayBumps(dir, false));
    let pushes = 0;
    // A chore touching no service before each call: versions stay the same, so the reference still agrees.
    const nextCommitMs = await block(
      () => slipwayBumps(dir),
      () => execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "-q", "--allow-empty", "-m", `chore: next push ${(pushes += 1)}`], { cwd: dir }),
    );
    return { coldMs, warmMs, nextCommitMs, uncachedMs, referenceMs, slipwayFirstMs: slipwayFirst.ms, referenceFirstMs: referenceFirst.ms, agree };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`bench/release: ${commitCount} commits, median of ${rounds}; ${machineDescription()}`);
  const figures: string[][] = [];
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  for (const monorepo of [false, true]) {
    const label = monorepo ? "monorepo, 3 services" : "single service";
    const m = await measure(monorepo);
    const ratio = (slipwayMs: number): string => `${(m.referenceMs / slipwayMs).toFixed(1)}×`;
    console.log(`${label}: conventional-recommended-bump ${ms(m.referenceMs)} (bump only); slipway (version + changelog):`);
    console.log(`  warm cache ${ms(m.warmMs)} → ${ratio(m.warmMs)} faster; one new commit ${ms(m.nextCommitMs)} → ${ratio(m.nextCommitMs)}`);
    console.log(`  cold (no cache, writes it) ${ms(m.coldMs)} → ${ratio(m.coldMs)}; cache off ${ms(m.uncachedMs)} → ${ratio(m.uncachedMs)}`);
    console.log(`  first call in the process (no cache): slipway ${ms(m.slipwayFirstMs)}, reference ${ms(m.referenceFirstMs)} → ${(m.referenceFirstMs / m.slipwayFirstMs).toFixed(1)}×; bumps agree: ${m.agree}`);
    const median = `median of ${rounds}`;
    figures.push(
      [`${label}: conventional-recommended-bump${monorepo ? ", once per service path" : ""}, bump only (${median})`, ms(m.referenceMs)],
      [`${label}: slipway warm, commit cache holds the history (${median})`, ms(m.warmMs)],
      [`${label}: **warm ratio** (target ≥ 10×)`, ratio(m.warmMs)],
      [`${label}: slipway warm, one new commit since the cached tip (${median})`, `${ms(m.nextCommitMs)} (${ratio(m.nextCommitMs)})`],
      [`${label}: slipway cold, no cache (reads all history, writes the cache) (${median})`, ms(m.coldMs)],
      [`${label}: cold ratio`, ratio(m.coldMs)],
      [`${label}: slipway with the cache off (${median})`, `${ms(m.uncachedMs)} (${ratio(m.uncachedMs)})`],
      [`${label}: first call in the process, no cache, slipway / reference`, `${ms(m.slipwayFirstMs)} / ${ms(m.referenceFirstMs)} (${(m.referenceFirstMs / m.slipwayFirstMs).toFixed(1)}×)`],
      [`${label}: bumps agree`, String(m.agree)],
    );
  }
  if (process.argv.includes("--record")) recordResults("release", figures);
}

await main();
