/** The example shop's own scripts, run as the workflows run them (real node processes, temp copies): coverage gate, lint, scan, smoke, release matrix, and the story's changes. */

import { execFile } from "node:child_process";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout } from "../support/cli";

const run = promisify(execFile);
const shop = join(checkout, "examples", "shop");

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("the example shop's scripts", () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "slipway-shop-"));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** A fresh copy of examples/shop with `overlay` (a story-changes directory) applied. */
  const copyOfShop = async (name: string, overlay?: string): Promise<string> => {
    const dir = join(work, name);
    await cp(shop, dir, { recursive: true });
    if (overlay) await cp(join(shop, "story-changes", overlay), dir, { recursive: true });
    return dir;
  };

  it("every service passes its tests above the 80 % gate; a service below it fails", async () => {
    const passing = await node(["scripts/coverage-gate.mjs", "services/gateway", "services/auth", "services/catalog", "services/orders", "services/web", "--min", "80"], shop);
    expect(passing.code, passing.stdout + passing.stderr).toBe(0);
    expect(passing.stdout.match(/✓/g)).toHaveLength(5);

    const dir = await copyOfShop("low-coverage");
    await writeFile(join(dir, "services/web/src/unused.js"), `export function unused(x) {\n${Array.from({ length: 60 }, (_, i) => `  if (x === ${i}) return ${i};`).join("\n")}\n  return -1;\n}\n`);
    await writeFile(join(dir, "services/web/test/unused.test.js"), 'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { unused } from "../src/unused.js";\ntest("one branch", () => assert.equal(unused(0), 0));\n');
    const failing = await node(["scripts/coverage-gate.mjs", "services/web", "--min", "80"], dir);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/services\/web: line coverage \d+\.\d % of 3 source files \(gate 80 %\) ✗ below the gate/);
  }, 120_000);

  it("a failing test fails the gate with the test runner's output", async () => {
    const dir = await copyOfShop("failing-test");
    await writeFile(join(dir, "services/orders/test/broken.test.js"), 'import { test } from "node:test";\nimport assert from "node:assert/strict";\ntest("is broken", () => assert.equal(1, 2));\n');
    const result = await node(["scripts/coverage-gate.mjs", "services/orders"], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("services/orders: tests failed");
    expect(result.stdout).toContain("not ok");
  }, 60_000);

  it("lint passes on the shop and names the file that does not parse (in process and with node --check)", async () => {
    for (const flags of [["--experimental-vm-modules", "--no-warnings"], []]) {
      expect((await node([...flags, "scripts/lint.mjs"], shop)).code).toBe(0);
    }
    const dir = await copyOfShop("lint");
    await writeFile(join(dir, "services/catalog/src/app.js"), "export const = broken;\n");
    await writeFile(join(dir, "services/auth/src/extra.js"), "export const a = 1; \n");
    const result = await node(["--experimental-vm-modules", "--no-warnings", "scripts/lint.mjs"], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("services/catalog/src/app.js: does not parse");
    expect(result.stdout).toContain("services/auth/src/extra.js:1: trailing whitespace");
  }, 60_000);

  it("the scan passes on the shop and fails on a committed private key, an AWS key or a git dependency", async () => {
    expect((await node(["scripts/scan.mjs"], shop)).code).toBe(0);
    const dir = await copyOfShop("scan");
    await writeFile(join(dir, "services/auth/deploy.pem"), `${["-----BEGIN", "OPENSSH PRIVATE KEY-----"].join(" ")}\nAAAA\n`);
    await writeFile(join(dir, "services/orders/.env"), `AWS_ACCESS_KEY_ID=AKIA${"Z".repeat(16)}\n`);
    await writeFile(join(dir, "services/web/package.json"), JSON.stringify({ name: "web", dependencies: { left: "github:someone/left-pad" } }));
    const result = await node(["scripts/scan.mjs"], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("services/auth/deploy.pem:1: looks like a private key");
    expect(result.stdout).toContain("services/orders/.env:1: looks like an AWS access key id");
    expect(result.stdout).toContain('services/web/package.json: dependencies.left: "github:someone/left-pad" bypasses the registry');
  }, 60_000);

  it("the scripts' own node:test suite passes, and release-matrix keeps the released services", async () => {
    expect((await node(["--test", "scripts/test/"], shop)).code).toBe(0);
    const matrix = await node(["scripts/release-matrix.mjs"], shop, { RELEASES: JSON.stringify([{ service: "auth", version: "1.1.0", released: true }, { service: "web", version: null, released: false }]) });
    expect(matrix.stdout).toBe('matrix=[{"service":"auth","version":"1.1.0"}]\ncount=1\n');
  }, 60_000);

  describe("smoke", () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(req.url === "/healthz" ? 200 : 500, { "content-type": "application/json" });
        res.end(JSON.stringify({ version: "1.1.0" }));
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
      const address = server.address();
      base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("passes on 200 and fails on anything else within its timeout", async () => {
      const ok = await node(["scripts/smoke.mjs", base, "/healthz"], shop);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`✓ ${base}/healthz → 200`);
      const failed = await node(["scripts/smoke.mjs", base, "/healthz", "/broken", "--timeout", "1"], shop);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain(`✗ ${base}/broken → HTTP 500`);
      expect((await node(["scripts/smoke.mjs"], shop)).code).toBe(2);
    }, 30_000);
  });

  it("the story's changes: two-factor authentication passes CI's gates; the broken catalog passes them too (only readiness catches it)", async () => {
    const twoFactor = await copyOfShop("2fa", "2fa");
    const auth = await node(["scripts/coverage-gate.mjs", "services/auth"], twoFactor);
    expect(auth.code, auth.stdout).toBe(0);
    expect(auth.stdout).toContain("of 3 source files");
    expect((await node(["--experimental-vm-modules", "--no-warnings", "scripts/lint.mjs"], twoFactor)).code).toBe(0);
    expect((await node(["scripts/scan.mjs"], twoFactor)).code).toBe(0);
    const broken = await copyOfShop("broken", "broken-readiness");
    expect((await node(["scripts/coverage-gate.mjs", "services/catalog"], broken)).code).toBe(0);
  }, 120_000);
});
