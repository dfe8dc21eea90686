// auth service: sign-in with signed session tokens, who the caller is, and two-factor authentication (TOTP).
import { createHmac, timingSafeEqual } from "node:crypto";
import { backupCodes, newSecret, otpauthUrl, verifyTotp } from "./totp.js";

const users = new Map([["demo", "demo"], ["reviewer", "reviewer"]]);
/** Per user: { secret, enabled, backupCodes } once two-factor setup started. */
const twoFactor = new Map();
const secret = () => process.env.AUTH_SECRET ?? "dev-only-secret";
export const version = () => process.env.APP_VERSION ?? "dev";

function sign(user) {
  return createHmac("sha256", secret()).update(user).digest("hex");
}

export function issueToken(user) {
  return `${user}.${sign(user)}`;
}

/** The user a token names, or undefined when it is forged or malformed. */
export function verifyToken(token) {
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const user = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(sign(user));
  return given.length === expected.length && timingSafeEqual(given, expected) ? user : undefined;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text || "{}");
  } catch {
    return undefined;
  }
}

export async function handle(req, res) {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz" || path === "/api/auth/healthz") return send(res, 200, { status: "ok", service: "auth", version: version() });
  if (path === "/api/auth/login" && req.method === "POST") {
    const body = await readJson(req);
    if (!body || typeof body.user !== "string" || users.get(body.user) !== body.password) return send(res, 401, { error: "wrong user or password" });
    return send(res, 200, { token: issueToken(body.user) });
  }
  const header = req.headers.authorization ?? "";
  const caller = header.startsWith("Bearer ") ? verifyToken(header.slice(7)) : undefined;
  if (path === "/api/auth/me") {
    return caller ? send(res, 200, { user: caller, twoFactor: twoFactor.get(caller)?.enabled === true }) : send(res, 401, { error: "sign in first" });
  }
  if (path === "/api/auth/2fa/setup" && req.method === "POST") {
    if (!caller) return send(res, 401, { error: "sign in first" });
    const setup = { secret: newSecret(), enabled: false, backupCodes: backupCodes() };
    twoFactor.set(caller, setup);
    return send(res, 200, { secret: setup.secret, otpauthUrl: otpauthUrl(caller, setup.secret), backupCodes: setup.backupCodes });
  }
  if (path === "/api/auth/2fa/verify" && req.method === "POST") {
    const setup = caller ? twoFactor.get(caller) : undefined;
    if (!setup) return send(res, 409, { error: "start with POST /api/auth/2fa/setup" });
    const body = await readJson(req);
    const code = String(body?.code ?? "");
    const backup = setup.backupCodes.indexOf(code);
    if (!verifyTotp(setup.secret, code) && backup < 0) return send(res, 401, { error: "wrong code" });
    if (backup >= 0) setup.backupCodes.splice(backup, 1);
    setup.enabled = true;
    return send(res, 200, { enabled: true, backupCodesLeft: setup.backupCodes.length });
  }
  if (path === "/api/auth" || path === "/api/auth/") return send(res, 200, { service: "auth", version: version(), endpoints: ["POST /api/auth/login", "GET /api/auth/me", "POST /api/auth/2fa/setup", "POST /api/auth/2fa/verify"] });
  return send(res, 404, { error: `no route ${req.method} ${path}` });
}
