import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { page } from "../src/app.js";
import { start } from "../src/server.js";

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test("serves the storefront and healthz", async () => {
  const response = await fetch(`${base}/`);
  assert.equal(response.status, 200);
  assert.match(await response.text(), /slipway shop/);
  assert.equal((await (await fetch(`${base}/healthz`)).json()).service, "web");
  assert.equal((await fetch(`${base}/missing`)).status, 404);
});

test("the page names its version", () => {
  assert.match(page("v9.9.9"), /web v9\.9\.9/);
});
