/**
 * bench/dashboard: the dashboard's budgets in headless Chromium against a real server (in-process, port 0).
 * 1. JavaScript size: every dist/web/assets/*.js gzipped (budget < 500 KB), and what the first page loads.
 * 2. Runs page: navigation → 1,000 runs rendered and no long task left (budget < 1 s); baseline: the same page with 10 runs.
 * 3. Log view: a 100 MB job log (1,600 chunks of 64 KiB, ANSI colours, ##[group]s) loaded, then scrolled through in 120
 *    frames and searched; long tasks (> 50 ms) during the scroll are the blocking measure. Baseline: a 1 MB log.
 * Usage: node dist/bench/dashboard.js [--record]   (needs `npm run build` and /usr/bin/chromium)
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";
import { startServer } from "../src/server/up";
import type { Store } from "../src/store";
import { recordResults } from "./record";

const assets = join(process.cwd(), "dist", "web", "assets");
const chromiumArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

function bundleSizes(): { total: number; initial: number; files: number } {
  const index = readFileSync(join(process.cwd(), "dist", "web", "index.html"), "utf8");
  let total = 0;
  let initial = 0;
  const files = readdirSync(assets).filter((file) => file.endsWith(".js"));
  for (const file of files) {
    const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length;
    total += size;
    if (index.includes(file)) initial += size;
  }
  return { total, initial, files: files.length };
}

async function seedRuns(store: Store, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const run = await store.runs.createRun({ repo: "bench/app", workflowFile: ".slipway/workflows/ci.yml", workflowName: "ci", event: "push", ref: "refs/heads/main", sha: (i.toString(16) + "a".repeat(40)).slice(0, 40), actor: "bench" });
    const start = Date.now() - (count - i) * 60_000;
    await store.runs.updateRun(run.id, { status: "completed", conclusion: i % 7 === 0 ? "failure" : "success", startedAt: start, completedAt: start + 30_000 + (i % 13) * 1000 });
  }
}

/** A completed job whose log is `megabytes` MB of 64 KiB chunks of realistic lines. */
async function seedLog(store: Store, megabytes: number): Promise<{ runId: number; jobId: number; lines: number }> {
  const run = await store.runs.createRun({ repo: "bench/app", workflowFile: ".slipway/workflows/log.yml", workflowName: "log", event: "push", ref: "refs/heads/main", sha: "b".repeat(40), actor: "bench" });
  const job = await store.runs.createJob({ runId: run.id, jobId: "build", name: "build", status: "completed" });
  await store.runs.updateJob(job.id, { status: "completed", conclusion: "success", startedAt: Date.now() - 60_000, completedAt: Date.now() });
  await store.runs.updateRun(run.id, { status: "completed", conclusion: "success", startedAt: Date.now() - 60_000, completedAt: Date.now() });
  let line = 0;
  let chunk = "";
  const target = megabytes * 1_000_000;
  let written = 0;
  while (written < target) {
    line += 1;
    if (line % 2000 === 1) chunk += `##[group]Phase ${Math.ceil(line / 2000)}\n`;
    chunk += `2026-11-22T06:00:00.${String(line % 1000).padStart(3, "0")}Z \u001b[32mINFO\u001b[0m compile module-${line % 97} line ${line}: \u001b[1mok\u001b[0m in ${line % 50} ms\n`;
    if (line % 2000 === 0) chunk += "##[endgroup]\n";
    if (chunk.length >= 64 * 1024 - 200) {
      await store.logs.append(job.id, 1, chunk);
      written += chunk.length;
      chunk = "";
    }
  }
  if (chunk) await store.logs.append(job.id, 1, chunk);
  return { runId: run.id, jobId: job.id, lines: line };
}

const observeLongTasks = `window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: "longtask", buffered: true });`;

type LongTask = { start: number; duration: number };

async function runsPage(page: Page, url: string, expected: number): Promise<{ rendered: number; interactive: number; longTasks: number }> {
  await page.goto("about:blank");
  const started = Date.now();
  await page.goto(`${url}/runs`);
  await page.waitForFunction(`document.querySelector('[data-testid="runs-count"]')?.textContent === "${expected.toLocaleString("en-US")} runs" && document.querySelector(".run-row") !== null`, undefined, { polling: "raf", timeout: 30_000 });
  const rendered = Date.now() - started;
  await page.waitForTimeout(300);
  const tasks = (await page.evaluate("window.__longTasks")) as LongTask[];
  const navigationStart = Number(await page.evaluate("performance.timeOrigin")) - started;
  const lastTaskEnd = tasks.reduce((end, task) => Math.max(end, task.start + task.duration + navigationStart), 0);
  // The filter answers a keystroke: a sign the page is interactive, not just painted.
  const typed = Date.now();
  await page.getByLabel("Filter runs").fill("main");
  await page.waitForFunction(`document.querySelector(".run-row") !== null`);
  const inputLatency = Date.now() - typed;
  return { rendered, interactive: Math.max(rendered, lastTaskEnd) + inputLatency, longTasks: tasks.length };
}

async function logView(page: Page, url: string, runId: number, jobId: number): Promise<{ loadMs: number; scrollLongTasks: number; maxLongTask: number; worstFrame: number; searchMs: number; lines: string }> {
  await page.goto("about:blank");
  const started = Date.now();
  await page.goto(`${url}/runs/${runId}/jobs/${jobId}`);
  await page.waitForFunction(`(() => { const text = document.querySelector('[data-testid="log-lines"]')?.textContent ?? ""; return text.includes("lines") && !text.includes("loading"); })()`, undefined, { polling: 200, timeout: 600_000 });
  const loadMs = Date.now() - started;
  const lines = (await page.getByTestId("log-lines").textContent()) ?? "";
  // Scroll through the whole log in 120 animation frames: jumps, not a smooth drag, so every frame renders new lines.
  const result = (await page.evaluate(`(async () => {
    const scroller = document.querySelector('[aria-label="log"]');
    const before = window.__longTasks.length;
    const t0 = performance.now();
    let last = t0, worst = 0;
    for (let i = 0; i <= 120; i += 1) {
      scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) * (i / 120);
      scroller.dispatchEvent(new Event("scroll"));
      await new Promise((resolve) => requestAnimationFrame(() => resolve()));
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const tasks = window.__longTasks.slice(before).filter((task) => task.start >= t0);
    return { count: tasks.length, max: tasks.reduce((m, t) => Math.max(m, t.duration), 0), worst };
  })()`)) as { count: number; max: number; worst: number };
  // Groups start folded: expand one, then search the whole log.
  await page.locator(".logline.group").first().click();
  const searched = Date.now();
  await page.getByLabel("Search the log").fill("line 5000:");
  await page.waitForFunction(`/^1 \\/ 1$/.test(document.querySelector('[data-testid="log-matches"]')?.textContent ?? "")`, undefined, { timeout: 120_000 });
  const searchMs = Date.now() - searched - 200;
  return { loadMs, scrollLongTasks: result.count, maxLongTask: Math.round(result.max), worstFrame: Math.round(result.worst), searchMs, lines };
}

async function main(): Promise<void> {
  const record = process.argv.includes("--record");
  const sizes = bundleSizes();
  const dataDir = mkdtempSync(join(tmpdir(), "slipway-bench-dashboard-"));
  const server = await startServer({ dataDir, port: 0, log: () => undefined });
  const browser = await chromium.launch({ executablePath: process.env.SLIPWAY_CHROMIUM ?? "/usr/bin/chromium", headless: true, args: chromiumArgs });
  try {
    const token = readFileSync(join(dataDir, "admin.token"), "utf8").trim();
    const created = await fetch(`${server.url}/api/v1/repos`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: "bench/app" }) });
    if (created.status !== 201) throw new Error(`create repo: HTTP ${created.status}`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(`localStorage.setItem("slipway.token", ${JSON.stringify(token)}); ${observeLongTasks}`);

    const store = server.context.store;
    await seedRuns(store, 10);
    await runsPage(page, server.url, 10);
    const small = await runsPage(page, server.url, 10);
    await seedRuns(store, 990);
    await runsPage(page, server.url, 1000);
    const large = await runsPage(page, server.url, 1000);

    const smallLog = await seedLog(store, 1);
    const bigLog = await seedLog(store, 100);
    const baseline = await logView(page, server.url, smallLog.runId, smallLog.jobId);
    const big = await logView(page, server.url, bigLog.runId, bigLog.jobId);

    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    const figures: string[][] = [
      ["dashboard JavaScript, all chunks, gzip -9 (budget < 500 KB)", `${kb(sizes.total)} in ${sizes.files} files`],
      ["JavaScript the first page loads, gzip -9", kb(sizes.initial)],
      ["runs page, 10 runs: navigation → rendered / interactive", `${small.rendered} ms / ${small.interactive} ms`],
      ["runs page, 1,000 runs: navigation → rendered / interactive (budget < 1 s)", `${large.rendered} ms / ${large.interactive} ms (${large.longTasks} long tasks)`],
      ["runs page ratio 1,000 / 10 runs (interactive)", `${(large.interactive / Math.max(1, small.interactive)).toFixed(2)}×`],
      ["log 1 MB: loaded / scroll long tasks / worst frame", `${baseline.loadMs} ms / ${baseline.scrollLongTasks} / ${baseline.worstFrame} ms (${baseline.lines})`],
      ["log 100 MB: loaded (32 pages of 50 chunks)", `${big.loadMs} ms (${big.lines})`],
      ["log 100 MB: scroll through in 120 frames — long tasks (> 50 ms), longest, worst frame", `${big.scrollLongTasks}, ${big.maxLongTask} ms, ${big.worstFrame} ms`],
      ["log worst frame ratio 100 MB / 1 MB", `${(big.worstFrame / Math.max(1, baseline.worstFrame)).toFixed(2)}×`],
      ["log 100 MB: search for one line, typed → found", `${big.searchMs} ms (1 MB: ${baseline.searchMs} ms)`],
    ];
    figures.push(["load average (1 min) at the end: the machine is shared", loadavg()[0]?.toFixed(1) ?? "?"]);
    for (const [name, value] of figures) console.log(`${name}: ${value}`);
    if (record) recordResults("dashboard", figures);
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
