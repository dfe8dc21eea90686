import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { issueToken, verifyToken } from "../src/app.js";
import { start } from "../src/server.js";

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

test("healthz reports the service and its version", async () => {
  const response = await fetch(`${base}/healthz`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { status: "ok", service: "auth", version: "dev" });
});

test("login issues a token that /me accepts", async () => {
  const login = await fetch(`${base}/api/auth/login`, { method: "POST", body: JSON.stringify({ user: "demo", password: "demo" }) });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const me = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await me.json(), { user: "demo" });
});

test("a wrong password, bad JSON or a forged token are refused", async () => {
  assert.equal((await fetch(`${base}/api/auth/login`, { method: "POST", body: JSON.stringify({ user: "demo", password: "x" }) })).status, 401);
  assert.equal((await fetch(`${base}/api/auth/login`, { method: "POST", body: "{" })).status, 401);
  assert.equal((await fetch(`${base}/api/auth/me`, { headers: { authorization: "Bearer demo.00" } })).status, 401);
  assert.equal((await fetch(`${base}/api/auth/me`)).status, 401);
});

test("tokens verify only unchanged", () => {
  assert.equal(verifyToken(issueToken("demo")), "demo");
  assert.equal(verifyToken("nodot"), undefined);
  assert.equal(verifyToken(`${issueToken("demo")}x`), undefined);
});

test("index and unknown routes", async () => {
  assert.equal((await (await fetch(`${base}/api/auth`)).json()).service, "auth");
  assert.equal((await fetch(`${base}/nope`)).status, 404);
});
