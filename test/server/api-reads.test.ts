/** The read endpoints the dashboard uses, on a real server: branches, releases, images and tags, the environments board, the event log (paging, filters, visibility). */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BranchView } from "../../src/server/routes/branches";
import type { EnvironmentCell } from "../../src/server/routes/environments";
import type { EventView } from "../../src/server/routes/events";
import { startTestServer, waitUntil, workflowYaml, type TestServer, type TestUser } from "../support/server";
import { application, deployment, pushWebImages } from "../web/support/delivery-fixture";

type EventPage = { events: EventView[]; next: number | null };

describe("API reads for the dashboard", () => {
  let t: TestServer;
  let dev: TestUser;
  let outsider: TestUser;
  let host: string;
  let mainSha: string;

  beforeAll(async () => {
    t = await startTestServer({ delivery: { resyncMs: 0, driftCheckMs: 0 } });
    host = new URL(t.url).host;
    dev = await t.createUser("dev");
    outsider = await t.createUser("outsider");
    await t.createRepo("acme/shop", { members: { dev: "developer" } });
    await t.createRepo("acme/deploy", { members: { dev: "developer" } });
    const shop = await t.workingCopy("acme/shop", dev.token);
    mainSha = await shop.commit("ci", { ".slipway/workflows/ci.yml": workflowYaml("push", ["echo one"]) });
    await shop.ok("push", "-q", "origin", "HEAD:main");
    await shop.ok("checkout", "-q", "-b", "feature/x");
    await shop.commit("feat: x");
    await shop.ok("push", "-q", "origin", "feature/x");
    await waitUntil("two completed runs", async () => {
      const runs = await dev.api<Array<{ status: string }>>("GET", "/repos/acme/shop/runs");
      return runs.body.length === 2 && runs.body.every((run) => run.status === "completed") ? true : undefined;
    });
    await pushWebImages(host, "dev", dev.token, "acme/shop/web", [{ version: "1.0.0" }, { version: "1.10.0" }, { version: "1.2.0" }]);
    const env = await t.workingCopy("acme/deploy", dev.token, "deploy");
    await env.commit("web in dev", { "apps/web-dev.yaml": application("dev"), "envs/dev/web/deployment.yaml": deployment(`${host}/acme/shop/web:v1.2.0`) });
    await env.ok("push", "-q", "origin", "HEAD:main");
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it("lists branches, default first, with head commit and protection", async () => {
    await t.admin.api("PUT", "/repos/acme/shop/branches/feature/x/protection", { requiredApprovals: 2 });
    const branches = await dev.api<BranchView[]>("GET", "/repos/acme/shop/branches");
    expect(branches.status).toBe(200);
    expect(branches.body.map((b) => [b.name, b.default, b.protected])).toEqual([["main", true, true], ["feature/x", false, true]]);
    expect(branches.body[0]).toMatchObject({ sha: mainSha, subject: "ci" });
    expect((await outsider.api("GET", "/repos/acme/shop/branches")).status).toBe(404);
  });

  it("lists releases newest first and finds one by tag", async () => {
    const { store } = t.server.context;
    for (const version of ["1.0.0", "1.1.0"]) await store.releases.record({ repo: "acme/shop", service: "web", version, tag: `web-v${version}`, sha: mainSha, previousVersion: null, bump: "minor", changelog: `## ${version}` });
    const releases = await dev.api<Array<{ version: string }>>("GET", "/repos/acme/shop/releases?service=web");
    expect(releases.body.map((r) => r.version)).toEqual(["1.1.0", "1.0.0"]);
    expect((await dev.api<{ changelog: string }>("GET", "/repos/acme/shop/releases/web-v1.0.0")).body.changelog).toBe("## 1.0.0");
    const missing = await dev.api<{ error: { code: string } }>("GET", "/repos/acme/shop/releases/web-v9.9.9");
    expect([missing.status, missing.body.error.code]).toEqual([404, "NOT_FOUND"]);
  });

  it("lists images the caller may pull, with tags in release order", async () => {
    const images = await dev.api<Array<{ name: string; repo: string; tags: number; latestTag: string }>>("GET", "/images");
    expect(images.body).toEqual([{ name: "acme/shop/web", repo: "acme/shop", tags: 3, latestTag: "v1.10.0" }]);
    const detail = await dev.api<{ tags: Array<{ tag: string; digest: string; size: number }> }>("GET", "/images/acme/shop/web");
    expect(detail.body.tags.map((tag) => tag.tag)).toEqual(["v1.10.0", "v1.2.0", "v1.0.0"]);
    expect(detail.body.tags[0]?.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect((await outsider.api("GET", "/images")).body).toEqual([]);
    expect((await outsider.api("GET", "/images/acme/shop/web")).status).toBe(404);
  });

  it("shows the environments board: the running version, health and sync of each cell", async () => {
    const board = await waitUntil("web Healthy on the board", async () => {
      const response = await dev.api<{ environments: string[]; services: string[]; cells: EnvironmentCell[] }>("GET", "/environments");
      return response.body.cells[0]?.health === "Healthy" ? response.body : undefined;
    }, 60_000, 200);
    expect(board.environments).toEqual(["dev"]);
    expect(board.services).toEqual(["web"]);
    expect(board.cells[0]).toMatchObject({ environment: "dev", service: "web", app: "web-dev", repo: "acme/deploy", version: "v1.2.0", sync: "Synced", lastResult: "Succeeded", images: [`${host}/acme/shop/web:v1.2.0`] });
    expect((await outsider.api<{ cells: unknown[] }>("GET", "/environments")).body.cells).toEqual([]);
  });

  it("pages through the event log newest first, filtered by type and repository, visible events only", async () => {
    const all = await dev.api<EventPage>("GET", "/events?limit=500");
    expect(all.body.next).toBeNull();
    const ids = all.body.events.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const runEvents = all.body.events.filter((event) => event.type.startsWith("run."));
    expect(runEvents.every((event) => event.repo === "acme/shop")).toBe(true);

    const pages: EventView[] = [];
    let before: number | null = null;
    do {
      const page: { body: EventPage } = await dev.api<EventPage>("GET", `/events?type=run.*&limit=2${before ? `&before=${before}` : ""}`);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      pages.push(...page.body.events);
      before = page.body.next;
    } while (before !== null);
    expect(pages.map((event) => event.id)).toEqual(runEvents.map((event) => event.id));
    expect(pages.map((event) => event.type)).toEqual(expect.arrayContaining(["run.queued", "run.started", "run.completed"]));

    const synced = await dev.api<EventPage>("GET", "/events?type=sync.succeeded,app.deployed&repo=acme/deploy");
    expect(synced.body.events.length).toBeGreaterThan(0);
    expect(synced.body.events.every((event) => event.repo === "acme/deploy" && ["sync.succeeded", "app.deployed"].includes(event.type))).toBe(true);
    expect((await outsider.api<EventPage>("GET", "/events?limit=500")).body.events.filter((event) => event.repo !== null)).toEqual([]);
    expect((await t.apiWith(null)("GET", "/events")).body).toEqual({ events: [], next: null });
    const invalid = await dev.api<{ error: { code: string } }>("GET", "/events?limit=0");
    expect([invalid.status, invalid.body.error.code]).toEqual([400, "REQUEST_INVALID"]);
  });
});
