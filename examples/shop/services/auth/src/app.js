// auth service: sign-in with signed session tokens, and who the caller is.
import { createHmac, timingSafeEqual } from "node:crypto";

const users = new Map([["demo", "demo"], ["reviewer", "reviewer"]]);
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
  if (path === "/api/auth/me") {
    const header = req.headers.authorization ?? "";
    const user = header.startsWith("Bearer ") ? verifyToken(header.slice(7)) : undefined;
    return user ? send(res, 200, { user }) : send(res, 401, { error: "sign in first" });
  }
  if (path === "/api/auth" || path === "/api/auth/") return send(res, 200, { service: "auth", version: version(), endpoints: ["POST /api/auth/login", "GET /api/auth/me"] });
  return send(res, 404, { error: `no route ${req.method} ${path}` });
}
