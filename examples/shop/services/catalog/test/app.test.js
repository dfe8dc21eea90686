import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { search } from "../src/app.js";
import { start } from "../src/server.js";

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test("healthz", async () => {
  assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: "ok", service: "catalog", version: "dev" });
});

test("lists, searches and finds products", async () => {
  assert.equal((await (await fetch(`${base}/api/products`)).json()).products.length, 3);
  assert.deepEqual((await (await fetch(`${base}/api/products?q=MUG`)).json()).products.map((p) => p.id), ["p1"]);
  assert.equal((await (await fetch(`${base}/api/products/p2`)).json()).name, "Rollback hoodie");
  assert.equal((await fetch(`${base}/api/products/p9`)).status, 404);
  assert.equal((await fetch(`${base}/elsewhere`)).status, 404);
});

test("search without a query returns everything", () => {
  assert.equal(search(undefined).length, 3);
  assert.equal(search("  ").length, 3);
  assert.equal(search("zzz").length, 0);
});
