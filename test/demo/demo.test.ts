/**
 * The demo end to end, as a user runs it: `slipway demo story` on a server of its own (commit → CI → review → merge →
 * release → images → dev → staging → prod, a broken change rolled back), and `slipway up --demo` twice on one data
 * directory (the second run reuses everything). Real processes, git, HTTP on 127.0.0.1; nothing left running.
 */

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DemoSummary } from "../../src/demo/demo-up";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import type { StoryResult } from "../../src/demo/story-timeline";
import { jsonFrom, processesUnder, stop } from "./support";
import { assertBuilt, killIfRunning, parseJson, slipway, startSlipway } from "../support/cli";

describe("the demo", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("`slipway demo story` drives seed 004's story from commit to prod, rolls back a broken change and prints the measured timeline", async () => {
    assertBuilt();
    const result = await slipway(["demo", "story", "--json", "--keep"], tmpdir());
    const kept = /kept (\S+)/.exec(result.stderr)?.[1];
    if (kept) cleanup.push(() => rm(kept, { recursive: true, force: true }));
    expect(result.code, result.stderr).toBe(0);
    const { story, demo } = parseJson<{ story: StoryResult; demo: { stages: { name: string; ms: number }[] } }>(result);

    expect(demo.stages.map((stage) => stage.name)).toContain("first release: build.yml (release, tests, images, promote to dev)");
    expect(story.stages.map((stage) => stage.stage)).toEqual(["commit", "push", "ci", "pr", "review", "merge", "release", "images", "dev", "dev-healthy", "staging", "prod", "broken", "rollback"]);
    expect(story.stages.every((stage) => stage.ok && stage.durationMs >= 0)).toBe(true);
    expect(story.feature).toMatchObject({ branch: "feature/2fa", version: "1.1.0", pullRequest: 1 });
    expect(story.stages.find((stage) => stage.stage === "release")?.detail).toBe("auth v1.1.0");
    expect(story.commitToDevMs).toBeGreaterThan(0);
    expect(story.commitToStagingMs).toBeGreaterThan(story.commitToDevMs);
    expect(story.commitToProdMs).toBeGreaterThan(story.commitToStagingMs);
    expect(story.approvals).toMatch(/^staging (approved by reviewer|unprotected), prod (approved by reviewer|unprotected)$/);
    expect(story.rollback).toMatchObject({ service: "catalog", brokenVersion: "1.0.1", servingVersion: "1.0.0" });
    expect(story.rollback.revertCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(result.stderr).toContain("✅ Commit on feature/2fa");

    if (kept) expect(await processesUnder(kept)).toEqual([]);
  }, 900_000);

  it("`slipway up --demo` prints working URLs and tokens, moves off a taken ingress port, and a second run reuses everything", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "slipway-up-demo-"));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    // Someone holds a port: the demo must say so and use another.
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const address = holder.address();
    const taken = typeof address === "object" && address ? address.port : 0;
    const args = ["up", "--demo", "--json", "--data", dataDir, "--port", String(await freeLoopbackPort()), "--ingress-port", `dev=${taken}`, "--ingress-port", `staging=${await freeLoopbackPort()}`, "--ingress-port", `prod=${await freeLoopbackPort()}`];

    const first = startSlipway(args, tmpdir());
    cleanup.push(async () => killIfRunning(first));
    const up = await jsonFrom<DemoSummary>(first, 600_000);
    const summary = up.value;
    expect(summary.stages, JSON.stringify(summary)).toBeDefined();
    expect(up.stderr()).toContain(`dev: ${taken} is taken, using`);
    expect(summary.environments.dev).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(summary.environments.dev).not.toBe(`http://127.0.0.1:${taken}`);
    const page = await fetch(`${summary.environments.dev}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("web 1.0.0");
    const products = (await (await fetch(`${summary.environments.prod}/api/products`)).json()) as { products: unknown[] };
    expect(products.products).toHaveLength(3);
    expect(summary.users.map((user) => user.name)).toEqual(["admin", "demo", "reviewer", "ci"]);
    const reviewerToken = (await readFile(join(dataDir, "demo", "reviewer.token"), "utf8")).trim();
    const who = await fetch(`${summary.url}/api/v1/user`, { headers: { authorization: `Bearer ${reviewerToken}` } });
    expect(((await who.json()) as { name: string }).name).toBe("reviewer");
    expect(summary.nextSteps.join("\n")).toContain("slipway pr create");
    await stop(first);

    const second = startSlipway(args, tmpdir());
    cleanup.push(async () => killIfRunning(second));
    const again = (await jsonFrom<DemoSummary>(second, 300_000)).value;
    expect(again.stages, JSON.stringify(again)).toBeDefined();
    const detail = (name: string) => again.stages.find((stage) => stage.name.startsWith(name))?.detail;
    expect(detail("Node base image")).toMatch(/^cached /);
    expect(detail("push demo/shop ")).toBe("already there");
    expect(detail("push the Argo CD")).toBe("already there");
    expect(again.stages.find((stage) => stage.name.startsWith("first release"))?.ms).toBeLessThan(summary.stages.find((stage) => stage.name.startsWith("first release"))?.ms ?? 0);
    expect((await fetch(`${again.environments.staging}/api/auth/healthz`)).status).toBe(200);
    await stop(second);
    expect(await processesUnder(dataDir)).toEqual([]);
  }, 900_000);
});
