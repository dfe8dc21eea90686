import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { routeFor } from "../src/app.js";
import { start } from "../src/server.js";

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test("healthz and the route table", async () => {
  assert.equal((await (await fetch(`${base}/healthz`)).json()).status, "ok");
  assert.equal((await (await fetch(`${base}/api`)).json()).routes.length, 4);
  assert.equal((await (await fetch(`${base}/api/route?path=/api/orders/7`)).json()).service, "orders");
  assert.equal((await (await fetch(`${base}/api/route`)).json()).service, "web");
  assert.equal((await fetch(`${base}/nope`)).status, 404);
});

test("routes by whole path segments, longest first", () => {
  assert.equal(routeFor("/api/auth/login"), "auth");
  assert.equal(routeFor("/api/products"), "catalog");
  assert.equal(routeFor("/api/productsx"), "web");
  assert.equal(routeFor("/index.html"), "web");
});
