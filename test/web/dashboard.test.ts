/**
 * The dashboard end to end in headless Chromium against a real server: sign in, open a pull request, watch its run turn
 * green live, approve and merge, see the deployment on the environments board, promote to staging through an approval,
 * see a rollback; every page is screenshotted into test-output/screenshots/.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, waitUntil, type TestServer, type TestUser, type WorkingCopy } from "../support/server";
import { chromiumAvailable, confirmAction, launchChromium, screenshot, signIn } from "./support/browser";
import { application, deployment, pushWebImages, shopWorkflow } from "./support/delivery-fixture";

const webBuilt = existsSync(join(process.cwd(), "dist", "web", "index.html"));

describe.skipIf(!chromiumAvailable())("dashboard in Chromium", () => {
  let t: TestServer;
  let dev: TestUser;
  let lead: TestUser;
  let browser: Browser;
  let page: Page;
  let host: string;
  let shop: WorkingCopy;
  let prNumber = 0;
  const shots: string[] = [];
  const shot = async (name: string) => shots.push(await screenshot(page, name));

  beforeAll(async () => {
    if (!webBuilt) throw new Error("dist/web is missing: run `npm run build` first");
    t = await startTestServer({ delivery: { resyncMs: 0, driftCheckMs: 0 } });
    host = new URL(t.url).host;
    dev = await t.createUser("dev");
    lead = await t.createUser("lead");
    const members = { dev: "developer", lead: "maintainer" } as const;
    await t.createRepo("acme/shop", { members });
    await t.createRepo("acme/deploy", { members });
    // Staging is protected: one approval from someone other than the requester.
    const protect = await t.admin.api("PUT", "/repos/acme/deploy/environments/staging", { requiredReviewers: 1 });
    expect(protect.status).toBe(200);
    await pushWebImages(host, "admin", t.admin.token, "acme/shop/web", [{ version: "1.0.0" }, { version: "1.1.0" }, { version: "1.2.0", broken: true }]);
    // The deploy job promotes with this token (runs get SLIPWAY_SECRET_* of the server process as secrets).
    process.env.SLIPWAY_SECRET_DEPLOY_TOKEN = dev.token;

    const env = await t.workingCopy("acme/deploy", dev.token, "deploy");
    await env.commit("web in dev and staging", {
      "apps/web-dev.yaml": application("dev"),
      "apps/web-staging.yaml": application("staging"),
      "envs/dev/web/deployment.yaml": deployment(`${host}/acme/shop/web:v1.0.0`),
      "envs/staging/web/deployment.yaml": deployment(`${host}/acme/shop/web:v1.0.0`),
    });
    await env.ok("push", "-q", "origin", "HEAD:main");

    shop = await t.workingCopy("acme/shop", dev.token, "shop");
    await shop.commit("ci", { ".slipway/workflows/ci.yml": shopWorkflow(host, "1.0.0"), "VERSION": "1.0.0\n" });
    await shop.ok("push", "-q", "origin", "HEAD:main");
    await shop.ok("checkout", "-q", "-b", "feature/greeting");
    await shop.commit("feat: greeting for 1.1.0", { ".slipway/workflows/ci.yml": shopWorkflow(host, "1.1.0"), "VERSION": "1.1.0\n" });
    await shop.ok("push", "-q", "origin", "feature/greeting");
    await t.server.context.store.releases.record({ repo: "acme/shop", service: "web", version: "1.1.0", tag: "web-v1.1.0", sha: await shop.ok("rev-parse", "HEAD"), previousVersion: "1.0.0", bump: "minor", changelog: "## 1.1.0\n\n### Features\n\n* greeting for 1.1.0\n" });

    await waitUntil("web Healthy in dev and staging", async () => {
      const apps = await t.admin.api<Array<{ name: string; health: string }>>("GET", "/apps");
      return apps.body.length === 2 && apps.body.every((app) => app.health === "Healthy") ? true : undefined;
    }, 90_000, 250);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    delete process.env.SLIPWAY_SECRET_DEPLOY_TOKEN;
    await browser?.close();
    await t?.stop();
  });

  it("signs in with a token and lists the repositories", async () => {
    const streamUrls: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/events/stream")) streamUrls.push(request.url());
    });
    await page.goto(`${t.url}/`);
    await page.getByLabel("Token").waitFor();
    await shot("01-sign-in");
    await page.getByLabel("Token").fill("wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    await signIn(page, t.url, dev.token, "dev");
    await page.getByText("acme/shop").first().waitFor();
    await page.getByTestId("live-state").and(page.locator('[data-state="live"]')).waitFor();
    // The live stream is authenticated by its HttpOnly cookie: no token in its URL (access logs), none readable by scripts.
    expect(streamUrls.length).toBeGreaterThan(0);
    expect(streamUrls.every((url) => !url.includes(dev.token) && !url.includes("access_token"))).toBe(true);
    expect((await page.context().cookies()).find((cookie) => cookie.name === "slipway_events")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/v1/events/stream" });
    await shot("02-repositories");
  });

  it("opens a pull request and watches its run turn green live", async () => {
    await page.getByRole("link", { name: /acme\/shop/ }).click();
    await page.getByLabel("Source branch").selectOption("feature/greeting");
    await page.getByLabel("Title").fill("Greeting for 1.1.0");
    await page.getByRole("button", { name: "Open pull request" }).click();
    await page.getByRole("heading", { name: /Greeting for 1\.1\.0/ }).waitFor();
    prNumber = Number(/\/pulls\/(\d+)/.exec(page.url())?.[1]);
    expect(prNumber).toBeGreaterThan(0);
    // The check appears and then completes without a reload: a marker on window survives only if the page is not reloaded.
    await page.evaluate("window.__noReload = true");
    await page.locator('[data-check="build"]').waitFor({ timeout: 30_000 });
    await shot("03-pull-request-checks-running");
    await page.locator('[data-check] a').first().click();
    await page.getByTestId("run-graph").waitFor();
    await page.locator('.job-node[data-job="build"]').waitFor();
    const states = new Set<string>();
    await waitUntil("run success, live", async () => {
      const state = await page.getByTestId("run-state").getAttribute("data-state");
      if (state) states.add(state);
      return state === "success" ? true : undefined;
    }, 60_000, 100);
    expect([...states].some((state) => state === "in_progress" || state === "queued")).toBe(true);
    expect(await page.evaluate("window.__noReload === true")).toBe(true);
    await expect.poll(() => page.locator('.job-node[data-state="ok"]').count()).toBe(2);
    await shot("04-run-graph");

    await page.locator(".job-card", { hasText: "build" }).getByRole("link").first().click();
    const log = page.getByRole("list", { name: "log" });
    await log.waitFor();
    await page.locator(".logline.group").first().waitFor();
    await expect.poll(() => page.locator(".logline span.ansi-green-fg").count()).toBeGreaterThan(0);
    await page.getByLabel("Search the log").fill("build ok");
    await expect.poll(() => page.getByTestId("log-matches").textContent()).toMatch(/^1 \/ 2$/); // the step header (the script) and its output
    // Two groups mention Toolchain: the step's header (its script) and the ::group::Toolchain it printed.
    await page.locator(".logline.group", { hasText: /▸ Toolchain$/ }).click();
    await page.locator(".logline.group.open", { hasText: /▾ Toolchain$/ }).waitFor();
    await expect.poll(() => page.locator(".logline", { hasText: /^\d+v\d+\.\d+\.\d+$/ }).count()).toBe(1);
    await shot("05-job-log");
  });

  it("approves and merges the pull request; the deployment appears on the environments board", async () => {
    await signIn(page, t.url, lead.token, "lead");
    await page.goto(`${t.url}/repos/acme/shop/pulls/${prNumber}`);
    await page.locator('[data-check="build"][data-state="success"]').waitFor();
    await confirmAction(page, page, "Approve");
    await page.getByTestId("mergeable").waitFor({ timeout: 20_000 });
    await confirmAction(page, page, "Merge");
    await page.getByText(/Merged as/).waitFor();
    await shot("06-pull-request-merged");

    await page.getByRole("link", { name: "Environments" }).click();
    const dev = page.locator('[data-cell="web/dev"] .cell');
    await page.getByTestId("environments-board").waitFor();
    await shot("07-environments-before-deploy");
    // Merge → push run → deploy job promotes 1.1.0 to dev → env repo push → sync → Healthy, all shown live.
    await page.locator('[data-cell="web/dev"] .cell[data-version="v1.1.0"][data-health="Healthy"]').waitFor({ timeout: 120_000 });
    expect(await dev.getAttribute("data-sync")).toBe("Synced");
    await shot("08-environments-deployed-dev");
  }, 180_000);

  it("promotes to staging through an approval", async () => {
    await confirmAction(page, page.locator('[data-cell="web/dev"]'), "Promote to staging");
    const pending = page.locator('[data-cell="web/staging"] [data-approval]');
    await pending.waitFor();
    await shot("09-environments-approval-pending");
    // The requester cannot approve their own request: another developer does.
    await signIn(page, t.url, dev.token, "dev");
    await page.goto(`${t.url}/environments`);
    await confirmAction(page, page.locator('[data-cell="web/staging"]'), "Approve");
    await page.locator('[data-cell="web/staging"] .cell[data-version="v1.1.0"][data-health="Healthy"]').waitFor({ timeout: 120_000 });
    await expect.poll(() => pending.count()).toBe(0);
    await shot("10-environments-promoted-staging");
  }, 180_000);

  it("shows an automatic rollback of a broken version", async () => {
    // A broken release reaches dev (as a bad deploy would): it never gets ready, and the controller rolls back.
    const requested = await dev.api<{ state: string }>("POST", "/approvals", { repo: "acme/deploy", environment: "dev", kind: "promotion", payload: { service: "web", version: "1.2.0", image: `${host}/acme/shop/web` } });
    expect(requested.status).toBe(201);
    await page.goto(`${t.url}/apps/web-dev?repo=acme/deploy`);
    await page.getByTestId("resource-tree").waitFor();
    await page.locator('[data-testid="sync-history"] tr[data-result="RolledBack"]').waitFor({ timeout: 120_000 });
    await page.getByTestId("resource-tree").getByText("Healthy").first().waitFor({ timeout: 60_000 });
    await shot("11-app-rolled-back");
    await page.goto(`${t.url}/environments`);
    await page.locator('[data-cell="web/dev"] .cell[data-version="v1.1.0"]').waitFor({ timeout: 60_000 });
    await shot("12-environments-after-rollback");
  }, 180_000);

  it("shows runs, releases, images, events, DORA, notifications and approvals pages, at laptop and phone widths", async () => {
    await page.goto(`${t.url}/runs`);
    await expect.poll(() => page.getByTestId("runs-count").textContent()).toMatch(/^[1-9]\d* runs/);
    await shot("13-runs");
    await page.goto(`${t.url}/releases`);
    await page.getByText("web-v1.1.0").waitFor();
    await page.locator("details.release summary").first().click();
    await shot("14-releases");
    await page.goto(`${t.url}/images/acme/shop/web`);
    await page.getByTestId("image-tags").getByText("v1.2.0").waitFor();
    await shot("15-images");
    await page.goto(`${t.url}/events`);
    await page.locator('[data-testid="events"] tr[data-type="rollback"]').first().waitFor();
    await shot("16-events");
    await page.goto(`${t.url}/dora`);
    await page.getByLabel("Environment").selectOption("dev");
    await page.getByTestId("dora-tiles").waitFor();
    await page.getByTestId("chart").waitFor();
    await shot("17-dora");
    await page.goto(`${t.url}/notifications`);
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    await shot("18-notifications");
    await page.goto(`${t.url}/approvals`);
    await page.getByRole("button", { name: "all", exact: true }).click();
    await page.locator('[data-testid="approvals"] tr[data-state="approved"]').first().waitFor();
    await shot("19-approvals");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${t.url}/environments`);
    await page.getByTestId("environments-board").waitFor();
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    expect(overflow).toBeLessThanOrEqual(1);
    await shot("20-phone-environments");
    await page.goto(`${t.url}/runs`);
    await page.getByTestId("runs-count").waitFor();
    await shot("21-phone-runs");
    expect(shots.length).toBe(21);
  }, 120_000);
});
