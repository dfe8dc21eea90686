/** Headless Debian Chromium through playwright-core for the dashboard tests: availability (skip or, in CI, fail), launch flags, screenshots. */

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = process.env.SLIPWAY_CHROMIUM ?? "/usr/bin/chromium";
export const screenshotDir = join(process.cwd(), "test-output", "screenshots");

/** Whether the browser tests can run; throws in CI (SLIPWAY_REQUIRE_DOCKER=1), where a missing Chromium is a failure. */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `dashboard browser tests skipped: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set SLIPWAY_CHROMIUM)`;
  if (process.env.SLIPWAY_REQUIRE_DOCKER === "1") throw new Error(`${message}; SLIPWAY_REQUIRE_DOCKER=1 requires it`);
  console.warn(message);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the sign-in page with `token`. */
export async function signIn(page: Page, baseUrl: string, token: string, user: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  const signedIn = page.getByTestId("signed-in-user");
  const tokenField = page.getByLabel("Token");
  // Wait until the app has rendered one or the other: right after goto (and on a loaded machine) it may be neither yet.
  await signedIn.or(tokenField).first().waitFor();
  if (await signedIn.isVisible()) {
    await page.getByRole("button", { name: "Sign out" }).click();
  }
  await tokenField.fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await signedIn.filter({ hasText: user }).waitFor();
}

/** Clicks a button that opens a confirmation, then confirms. */
export async function confirmAction(page: Page, scope: ReturnType<Page["locator"]> | Page, label: string): Promise<void> {
  await scope.getByRole("button", { name: label, exact: true }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await dialog.waitFor({ state: "detached" });
}
