import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from "../src/totp.js";
import { start } from "../src/server.js";

// RFC 4226 appendix D: the secret "12345678901234567890" and its first HOTP values.
const rfcKey = Buffer.from("12345678901234567890");

test("HOTP matches RFC 4226's test values", () => {
  assert.deepEqual([0, 1, 2, 9].map((counter) => hotp(rfcKey, counter)), ["755224", "287082", "359152", "520489"]);
});

test("TOTP matches RFC 6238 at T = 59 s (6 digits) and accepts one step of drift", () => {
  const secret = base32Encode(rfcKey);
  assert.equal(totp(secret, 59_000), "287082");
  assert.equal(verifyTotp(secret, totp(secret, 89_000), 59_000), true);
  assert.equal(verifyTotp(secret, "000000", 59_000), false);
});

test("base32 round-trips and refuses other characters", () => {
  assert.deepEqual(base32Decode(base32Encode(Buffer.from("two factors"))), Buffer.from("two factors"));
  assert.throws(() => base32Decode("01"), /not base32/);
});

let server;
let base;
before(async () => {
  server = await start(0);
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const post = (path, body, token) => fetch(`${base}${path}`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify(body ?? {}) });

test("two-factor setup, verification with a TOTP code or a backup code", async () => {
  const { token } = await (await post("/api/auth/login", { user: "demo", password: "demo" })).json();
  assert.equal((await post("/api/auth/2fa/setup", {})).status, 401);
  assert.equal((await post("/api/auth/2fa/verify", { code: "1" }, token)).status, 409);
  const setup = await (await post("/api/auth/2fa/setup", {}, token)).json();
  assert.match(setup.otpauthUrl, /^otpauth:\/\/totp\/slipway-shop:demo\?secret=/);
  assert.equal(setup.backupCodes.length, 8);
  assert.equal((await post("/api/auth/2fa/verify", { code: "000000" }, token)).status, 401);
  const verified = await (await post("/api/auth/2fa/verify", { code: totp(setup.secret) }, token)).json();
  assert.deepEqual(verified, { enabled: true, backupCodesLeft: 8 });
  assert.equal((await (await post("/api/auth/2fa/verify", { code: setup.backupCodes[0] }, token)).json()).backupCodesLeft, 7);
  const me = await (await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json();
  assert.deepEqual(me, { user: "demo", twoFactor: true });
});
