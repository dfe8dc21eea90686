/**
 * The event stream's cookie: EventSource cannot send an Authorization header, and a token in the URL ends up in
 * access logs. A signed-in dashboard trades its token (in the header) for this cookie: HMAC-signed with a secret
 * of this server process, it names the token by its stored hash and expires; the stream checks the token still
 * exists on every (re)connect, so revoking it ends the cookie too. Scoped to the stream's path, HttpOnly and
 * SameSite=Strict: no other route accepts it, so it cannot be used to change anything.
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const streamCookieName = "slipway_events";
export const streamCookiePath = "/api/v1/events/stream";
/** A cookie lasts this long; the dashboard asks for a new one on every (re)connect. */
export const streamCookieTtlSeconds = 12 * 60 * 60;

interface Claims {
  /** The stored hash of the token the cookie was issued for. */
  tokenHash: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

export class StreamSessionCookies {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  /** The Set-Cookie header value for a token (by its stored hash); `secure` when the browser came over HTTPS (a TLS proxy in front). */
  issue(tokenHash: string, secure: boolean, now = Date.now()): { header: string; expiresAt: Date } {
    const exp = Math.floor(now / 1000) + streamCookieTtlSeconds;
    const payload = Buffer.from(JSON.stringify({ tokenHash, exp } satisfies Claims)).toString("base64url");
    const value = `${payload}.${this.sign(payload)}`;
    const attributes = `Path=${streamCookiePath}; Max-Age=${streamCookieTtlSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
    return { header: `${streamCookieName}=${value}; ${attributes}`, expiresAt: new Date(exp * 1000) };
  }

  /** The Set-Cookie header value that removes the cookie. */
  cleared(): string {
    return `${streamCookieName}=; Path=${streamCookiePath}; Max-Age=0; HttpOnly; SameSite=Strict`;
  }

  /** The token hash a Cookie header's stream cookie carries, when it is this server's, intact and not expired. */
  verify(cookieHeader: string | undefined, now = Date.now()): string | undefined {
    const value = cookieValue(cookieHeader, streamCookieName);
    const [payload, signature, extra] = value?.split(".") ?? [];
    if (!payload || !signature || extra !== undefined) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<Claims>;
      if (typeof claims.tokenHash !== "string" || typeof claims.exp !== "number" || claims.exp * 1000 <= now) return undefined;
      return claims.tokenHash;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(";") ?? []) {
    const at = part.indexOf("=");
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
