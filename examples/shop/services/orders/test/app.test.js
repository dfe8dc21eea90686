import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { validateOrder } from "../src/app.js";
import { start } from "../src/server.js";

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test("healthz", async () => {
  assert.equal((await (await fetch(`${base}/healthz`)).json()).service, "orders");
});

test("places and lists orders", async () => {
  const placed = await fetch(`${base}/api/orders`, { method: "POST", body: JSON.stringify({ productId: "p1", quantity: 2 }) });
  assert.equal(placed.status, 201);
  assert.deepEqual(await placed.json(), { id: 1, productId: "p1", quantity: 2, status: "placed" });
  assert.equal((await (await fetch(`${base}/api/orders/`)).json()).orders.length, 1);
});

test("refuses invalid orders", async () => {
  assert.equal((await fetch(`${base}/api/orders`, { method: "POST", body: "not json" })).status, 400);
  assert.equal((await fetch(`${base}/api/orders`, { method: "POST", body: JSON.stringify({ productId: "p1", quantity: 0 }) })).status, 400);
  assert.equal((await fetch(`${base}/api/other`)).status, 404);
  assert.equal(validateOrder({ quantity: 1 }), "productId is required");
  assert.equal(validateOrder(null), "the body must be a JSON object");
  assert.equal(validateOrder({ productId: "p1", quantity: 1 }), undefined);
});
