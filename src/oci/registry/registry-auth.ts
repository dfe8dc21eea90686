/**
 * Who may do what in the embedded registry: the host's `RegistryAuth` (slipway users and tokens) plus the
 * Docker token flow — `/v2/token` trades Basic credentials for a short-lived HMAC-signed bearer token.
 */

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export type RegistryAction = "pull" | "push" | "delete";

export interface RegistryIdentity {
  user: string;
}

type MaybePromise<T> = T | Promise<T>;

/** Implemented by the server with slipway users and tokens; tests implement it with a token map. */
export interface RegistryAuth {
  /** The user behind an `Authorization` header (Basic with the token as password, or Bearer), or undefined. */
  authenticate(authorizationHeader: string): MaybePromise<RegistryIdentity | undefined>;
  authorize(user: string | undefined, repository: string, action: RegistryAction): MaybePromise<boolean>;
  /** Public repositories may be pulled anonymously. */
  isPublic(repository: string): MaybePromise<boolean>;
}

const tokenPrefix = "slw1.";

interface TokenClaims {
  sub: string;
  exp: number;
}

/** Issues and verifies the registry's own bearer tokens. Servers sharing a registry must share the secret. */
export class RegistryTokenIssuer {
  constructor(private readonly secret: Buffer = randomBytes(32), readonly ttlSeconds = 300) {}

  issue(user: string, now = Date.now()): string {
    const claims: TokenClaims = { sub: user, exp: Math.floor(now / 1000) + this.ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${tokenPrefix}${payload}.${this.sign(payload)}`;
  }

  /** The user a token of ours names ("" for an anonymous token), or undefined when it is not ours, forged or expired. */
  verify(token: string, now = Date.now()): string | undefined {
    if (!token.startsWith(tokenPrefix)) return undefined;
    const [payload, signature] = token.slice(tokenPrefix.length).split(".");
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as TokenClaims;
    return claims.exp * 1000 > now ? claims.sub : undefined;
  }

  isOurs(token: string): boolean {
    return token.startsWith(tokenPrefix);
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}

/** The `WWW-Authenticate` value that sends Docker, skopeo and slipway's client to the token endpoint. */
export function bearerChallenge(realm: string, service: string, scope?: { repository: string; actions: RegistryAction[] }): string {
  const parts = [`realm="${realm}"`, `service="${service}"`];
  if (scope) parts.push(`scope="repository:${scope.repository}:${scope.actions.join(",")}"`);
  return `Bearer ${parts.join(",")}`;
}

/** The password of a Basic header (slipway ignores the user name), or undefined. */
export function basicPassword(header: string): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

export function bearerToken(header: string): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim();
}
