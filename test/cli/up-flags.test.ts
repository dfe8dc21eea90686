/** `slipway up` refuses ambiguous --ingress-port flags at startup with a precise USAGE error (exit 2) and starts nothing. */

import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, slipway } from "../support/cli";

let root: string;

beforeAll(async () => {
  assertBuilt();
  root = await mkdtemp(join(tmpdir(), "slipway-up-flags-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("slipway up --ingress-port", () => {
  it("refuses the same port for two environments, naming both", async () => {
    const dataDir = join(root, "same-port");
    const result = await slipway(["up", "--data", dataDir, "--port", "0", "--ingress-port", "dev=8080", "--ingress-port", "staging=8080"], root);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("slipway: --ingress-port staging=8080: port 8080 is already the ingress of dev; give each environment its own port.");
    expect(result.stderr).not.toContain("slipway is up");
    expect(result.stderr).not.toContain("    at ");
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);

  it("refuses one environment given twice", async () => {
    const dataDir = join(root, "same-env");
    const result = await slipway(["up", "--data", dataDir, "--port", "0", "--ingress-port", "dev=8080", "--ingress-port", "dev=8081"], root);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain("slipway: --ingress-port dev=8081: dev is given twice (dev=8080 before); give each environment one port.");
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});
