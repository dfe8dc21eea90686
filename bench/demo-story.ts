/**
 * bench/demo-story: `slipway demo story` measured. A real server (in-process, port 0, temp data dir) brought up with the
 * demo, then seed 004's story: commit → CI → PR checks → review → merge → release → images → dev → staging → prod, and a
 * broken change rolled back. Prints every stage's duration and commit → healthy in dev/staging/prod (target: dev < 60 s).
 * Baseline, measured in the same process: the monorepo's own tests with coverage run directly (all five services, one
 * after the other, no slipway): the work no pipeline can skip when everything changed.
 * Usage: node dist/bench/demo-story.js [--record]   (--record appends the figures to bench/RESULTS.md)
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { apiClient } from "../src/cli/api-client";
import { checkoutRoot, shopServices } from "../src/demo/demo-config";
import { bringUpDemo } from "../src/demo/demo-up";
import { runStory } from "../src/demo/story";
import { freeLoopbackPort } from "../src/runtime/local/ports";
import { startServer } from "../src/server/up";
import { machineDescription, recordResults } from "./record";

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const shop = join(checkoutRoot(), "examples", "shop");
  const load = loadavg()[0]?.toFixed(1) ?? "?";
  const testsStart = Date.now();
  execFileSync(process.execPath, ["scripts/coverage-gate.mjs", ...shopServices.map((service) => `services/${service}`)], { cwd: shop, stdio: "ignore" });
  const baselineMs = Date.now() - testsStart;

  const dataDir = mkdtempSync(join(tmpdir(), "slipway-bench-demo-"));
  const ingressPorts = { dev: await freeLoopbackPort(), staging: await freeLoopbackPort(), prod: await freeLoopbackPort() };
  const server = await startServer({ dataDir, port: 0, delivery: { ingressPorts }, log: () => undefined });
  try {
    const admin = readFileSync(join(dataDir, "admin.token"), "utf8").trim();
    const quiet = (): void => undefined;
    const demo = await bringUpDemo({ url: server.url, admin: apiClient(server.url, admin), dataDir, progress: quiet });
    const story = await runStory({ url: server.url, adminToken: admin, progress: quiet });
    const figures: string[][] = [
      ["load average (1 min) at start, shared machine", load],
      ["baseline: the five services' tests with coverage, run directly", seconds(baselineMs)],
      ...demo.stages.map((stage) => [`up --demo: ${stage.name}`, seconds(stage.ms)]),
      ...story.stages.map((stage) => [`story: ${stage.label}`, `${seconds(stage.durationMs)} (at ${seconds(stage.startMs)})`]),
      ["**commit → auth healthy in dev** (target < 60 s)", seconds(story.commitToDevMs)],
      ["commit → healthy in staging (approved)", seconds(story.commitToStagingMs)],
      ["commit → healthy in prod (approved)", seconds(story.commitToProdMs)],
      ["broken catalog promoted → rolled back", seconds(story.rollback.detectMs)],
      ["commit → dev / baseline (all five services' tests)", `${(story.commitToDevMs / baselineMs).toFixed(1)}×`],
      ["seed 004's pipeline, commit → staging (reported by the users)", "~13 min"],
      ["commit → staging / seed 004's 13 min", `${((13 * 60_000) / story.commitToStagingMs).toFixed(1)}× faster`],
    ];
    for (const [name, value] of figures) console.log(`${name.padEnd(72)} ${value}`);
    console.log(`machine: ${machineDescription()}`);
    if (process.argv.includes("--record")) recordResults("demo-story", figures);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
