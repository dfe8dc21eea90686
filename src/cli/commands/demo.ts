/** `slipway demo story`: the seed-004 story, commit to production and a rollback, measured, against SLIPWAY_URL or a server of its own. */

import type { Command } from "commander";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlipwayError } from "../../core/errors";
import { apiClient } from "../api-client";
import { action, printJson } from "../output";

interface StoryFlags {
  json?: boolean;
  keep?: boolean;
  timeout: string;
}

export function registerDemoCommand(program: Command): void {
  const demo = program.command("demo").description("the demo shop: `slipway up --demo` sets it up, `slipway demo story` tells its story");
  demo
    .command("story")
    .description("drive feat(auth): add two-factor authentication from commit to prod, then roll back a broken change; print the measured timeline")
    .option("--json", "print the timeline as JSON")
    .option("--keep", "without SLIPWAY_URL: keep the temporary data directory (its path is printed)")
    .option("--timeout <seconds>", "give up on any one stage after this long", "300")
    .action(action(story));
}

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

async function story(flags: StoryFlags): Promise<number> {
  const timeoutMs = Number(flags.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new SlipwayError("USAGE", `--timeout expects seconds, got '${flags.timeout}'.`);
  const { runStory } = await import("../../demo/story");
  const { renderTimeline } = await import("../../demo/story-timeline");
  const url = process.env.SLIPWAY_URL;
  if (url) {
    const token = process.env.SLIPWAY_TOKEN;
    if (!token) throw new SlipwayError("USAGE", "SLIPWAY_URL is set but SLIPWAY_TOKEN is not: the story needs an admin token (e.g. $(cat DATA/admin.token)).");
    const result = await runStory({ url, adminToken: token, progress, timeoutMs });
    if (flags.json) printJson({ story: result });
    else process.stdout.write(renderTimeline(result));
    return 0;
  }
  // No server given: one of our own on a temporary data directory, with the demo brought up first.
  const { startServer } = await import("../../server/up");
  const { bringUpDemo } = await import("../../demo/demo-up");
  const { freeLoopbackPort } = await import("../../runtime/local/ports");
  const dataDir = await mkdtemp(join(tmpdir(), "slipway-demo-"));
  const ingressPorts = { dev: await freeLoopbackPort(), staging: await freeLoopbackPort(), prod: await freeLoopbackPort() };
  const server = await startServer({ dataDir, port: 0, delivery: { ingressPorts }, log: () => undefined });
  // Ctrl-C: stop the server (and every replica and step it started) before leaving.
  const interrupt = (signal: NodeJS.Signals): void => {
    progress(`\n${signal}: stopping the demo server…`);
    void server.close().then(() => rm(dataDir, { recursive: true, force: true })).finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    progress(`slipway demo story: a server of its own at ${server.url} (data ${dataDir})`);
    const admin = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
    const demo = await bringUpDemo({ url: server.url, admin: apiClient(server.url, admin), dataDir, progress, timeoutMs });
    const result = await runStory({ url: server.url, adminToken: admin, progress, timeoutMs });
    if (flags.json) printJson({ demo: { stages: demo.stages, environments: demo.environments }, story: result });
    else process.stdout.write(renderTimeline(result));
    return 0;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
    await server.close();
    if (flags.keep) progress(`kept ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}
