/** Smoke tests against a real HTTP server on 127.0.0.1: status, body text and pattern, retries until ready, the time budget, bad options — as a function, a workflow action and `slipway smoke-test`. */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/runtime/local/ports";
import { parseDuration, parseSmokeCheck, runSmokeTest } from "../../src/sync/smoke-test";
import { smokeTestAction } from "../../src/workflow/actions/builtin/smoke-test";
import { builtinAction } from "../../src/workflow/actions/builtin/registry";
import { registerDefaultBuiltins } from "../../src/workflow/actions/builtin/defaults";
import type { BuiltinActionContext } from "../../src/workflow/actions/action-request";
import { assertBuilt, parseJson, slipway } from "../support/cli";

describe("smoke tests", () => {
  let server: Server;
  let base: string;
  let warmupHits = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === "/warming") {
        warmupHits++;
        response.writeHead(warmupHits >= 3 ? 200 : 503).end(warmupHits >= 3 ? "ready" : "starting");
      } else if (request.url === "/slow") setTimeout(() => response.writeHead(200).end("late"), 2_000);
      else if (request.url === "/missing") response.writeHead(404).end("no such page");
      else response.writeHead(200, { "content-type": "text/plain" }).end("shop v2.1.0 ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const check = (input: Parameters<typeof parseSmokeCheck>[0]) => parseSmokeCheck({ interval: "50ms", ...input });

  it("passes on the expected status and body, and says why it fails", async () => {
    expect(await runSmokeTest(check({ url: `${base}/`, body: "v2.1.0", bodyRegex: "^shop v\\d+\\.\\d+" }))).toMatchObject({ ok: true, attempts: [{ attempt: 1, status: 200 }] });
    expect(await runSmokeTest(check({ url: `${base}/missing`, status: "404" }))).toMatchObject({ ok: true });

    const wrongStatus = await runSmokeTest(check({ url: `${base}/missing`, retries: "1" }));
    expect(wrongStatus.ok).toBe(false);
    expect(wrongStatus.attempts).toHaveLength(2);
    expect(wrongStatus.message).toBe(`smoke test failed after 2 attempt(s): GET ${base}/missing answered 404, expected 200: no such page`);
    expect((await runSmokeTest(check({ url: `${base}/`, body: "v3", retries: "0" }))).message).toContain(`the body does not contain "v3": shop v2.1.0 ok`);
    expect((await runSmokeTest(check({ url: `${base}/`, bodyRegex: "^v3", retries: "0" }))).message).toContain("the body does not match /^v3/");
  });

  it("retries until the endpoint is ready, and gives up when the time budget is spent", async () => {
    const warming = await runSmokeTest(check({ url: `${base}/warming`, retries: "5" }));
    expect(warming).toMatchObject({ ok: true });
    expect(warming.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);

    const started = Date.now();
    const slow = await runSmokeTest(check({ url: `${base}/slow`, timeout: "300ms", retries: "10" }));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(slow.ok).toBe(false);
    expect(slow.message).toMatch(/^smoke test failed within 300 ms: GET .*\/slow: no answer within \d+ ms$/);

    const closedPort = await runSmokeTest(check({ url: `http://127.0.0.1:${await freeLoopbackPort()}/`, retries: "0" }));
    expect(closedPort.message).toContain("ECONNREFUSED");
  });

  it("rejects bad options with a message naming the option", () => {
    expect(() => parseSmokeCheck({})).toThrow(/url is required/);
    expect(() => parseSmokeCheck({ url: "ftp://example" })).toThrow(/must be http:\/\/ or https:\/\//);
    expect(() => parseSmokeCheck({ url: base, status: "abc" })).toThrow(/status must be a whole number from 100 to 599, not "abc"/);
    expect(() => parseSmokeCheck({ url: base, timeout: "soon" })).toThrow(/timeout "soon" is not a duration/);
    expect(() => parseSmokeCheck({ url: base, bodyRegex: "(" })).toThrow(/body-regex "\(" is not a valid regular expression/);
    expect([parseDuration("500ms", "t"), parseDuration("30s", "t"), parseDuration("2m", "t"), parseDuration("10", "t")]).toEqual([500, 30_000, 120_000, 10_000]);
  });

  it("is the built-in slipway/smoke-test action", async () => {
    registerDefaultBuiltins();
    expect(builtinAction("smoke-test")).toBe(smokeTestAction);
    const lines: string[] = [];
    const run = (inputs: Record<string, string>) => {
      const defaults = Object.fromEntries(Object.entries(smokeTestAction.inputs).map(([name, spec]) => [name, spec.default ?? ""]));
      const context = { inputs: { ...defaults, interval: "50ms", ...inputs }, log: async (line: string) => void lines.push(line), addPost: () => undefined } as unknown as BuiltinActionContext;
      return smokeTestAction.run(context);
    };
    expect(await run({ url: `${base}/`, body: "ok" })).toEqual({ outcome: "success", outputs: { status: "200", attempts: "1" } });
    expect(await run({ url: `${base}/missing`, retries: "0" })).toEqual({ outcome: "failure", outputs: { status: "404", attempts: "1" } });
    expect(lines.at(-1)).toMatch(/^##\[error\]smoke test failed after 1 attempt\(s\): GET .*\/missing answered 404/);
    expect(await run({ url: "" })).toEqual({ outcome: "failure", outputs: {} });
    expect(lines.at(-1)).toMatch(/^##\[error\]slipway\/smoke-test: url is required/);
  });

  it("is `slipway smoke-test`: exit 0 when it passes, 1 when it fails, 2 on bad usage", async () => {
    assertBuilt();
    const ok = await slipway(["smoke-test", "--url", `${base}/`, "--status", "200", "--body", "v2.1.0", "--timeout", "5s"], process.cwd());
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`✓ GET ${base}/ answered 200 as expected`);
    const failed = await slipway(["smoke-test", "--url", `${base}/missing`, "--retries", "0"], process.cwd());
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`slipway smoke-test: smoke test failed after 1 attempt(s): GET ${base}/missing answered 404, expected 200`);
    const json = await slipway(["smoke-test", "--url", `${base}/`, "--json"], process.cwd());
    expect(parseJson<{ ok: boolean; attempts: unknown[] }>(json)).toMatchObject({ ok: true, attempts: [{ status: 200 }] });
    const usage = await slipway(["smoke-test", "--url", `${base}/`, "--timeout", "forever"], process.cwd());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('timeout "forever" is not a duration');
  });
});
