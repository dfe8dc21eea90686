/** Authenticated requests to one registry: Basic, or the bearer-token flow (challenge → realm → token → retry), tokens cached per scope. */

import type { IncomingMessage } from "node:http";
import { headerValue, readResponseBody, sendHttpRequest, type RequestBody } from "./http-transport";
import { parseChallenge } from "./www-authenticate";
import { defaultSchemeFor } from "./image-reference";

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistrySessionOptions {
  /** host[:port] of the registry. */
  registry: string;
  credentials?: RegistryCredentials;
  /** Default: http for loopback, https otherwise. */
  scheme?: "http" | "https";
}

/** A non-success answer from a registry, with the spec's error code when it sent one. */
export class RegistryResponseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "RegistryResponseError";
  }
}

export interface SessionRequest {
  method: string;
  /** Path under the registry (`/v2/...`) or an absolute URL (upload locations). */
  path: string;
  /** `repository:<name>:<actions>` the request needs, for the token flow. */
  scope?: string;
  headers?: Record<string, string>;
  body?: RequestBody;
}

export class RegistrySession {
  readonly baseUrl: URL;
  private readonly tokens = new Map<string, string>();
  private useBasic = false;

  constructor(private readonly options: RegistrySessionOptions) {
    this.baseUrl = new URL(`${options.scheme ?? defaultSchemeFor(options.registry)}://${options.registry}/`);
  }

  /** Sends a request; on 401 answers the challenge and retries once (streamed bodies are reopened). */
  async request(request: SessionRequest): Promise<IncomingMessage> {
    const url = new URL(request.path, this.baseUrl);
    const scopeKey = request.scope ?? "";
    const send = (): Promise<IncomingMessage> => sendHttpRequest({ method: request.method, url, headers: { ...request.headers, ...this.authorization(scopeKey) }, body: request.body });
    const response = await send();
    if (response.statusCode !== 401) return response;
    const challenge = parseChallenge(headerValue(response.headers, "www-authenticate") ?? "");
    await readResponseBody(response).catch(() => undefined);
    if (!challenge) return send();
    if (challenge.scheme === "basic") {
      if (!this.options.credentials || this.useBasic) throw new RegistryResponseError(401, "UNAUTHORIZED", `${this.options.registry}: authentication required (no credentials given)`);
      this.useBasic = true;
    } else if (challenge.scheme === "bearer") {
      this.tokens.set(scopeKey, await this.fetchToken(challenge.params, request.scope));
    }
    return send();
  }

  private authorization(scopeKey: string): Record<string, string> {
    const token = this.tokens.get(scopeKey);
    if (token) return { Authorization: `Bearer ${token}` };
    if (this.useBasic && this.options.credentials) return { Authorization: this.basicHeader(this.options.credentials) };
    return {};
  }

  private basicHeader(credentials: RegistryCredentials): string {
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  }

  private async fetchToken(params: Record<string, string>, scope: string | undefined): Promise<string> {
    if (!params.realm) throw new RegistryResponseError(401, "UNAUTHORIZED", `${this.options.registry}: bearer challenge without a realm`);
    const url = new URL(params.realm, this.baseUrl);
    if (params.service) url.searchParams.set("service", params.service);
    const wanted = scope ?? params.scope;
    if (wanted) url.searchParams.set("scope", wanted);
    const headers: Record<string, string> = {};
    if (this.options.credentials) {
      headers.Authorization = this.basicHeader(this.options.credentials);
      url.searchParams.set("account", this.options.credentials.username);
    }
    const response = await sendHttpRequest({ method: "GET", url, headers });
    const body = await readResponseBody(response, 1024 * 1024);
    if (response.statusCode !== 200) throw new RegistryResponseError(response.statusCode ?? 0, "UNAUTHORIZED", `${this.options.registry}: token request refused (${response.statusCode}): ${body.toString("utf8").slice(0, 200)}`);
    const json = JSON.parse(body.toString("utf8")) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new RegistryResponseError(401, "UNAUTHORIZED", `${this.options.registry}: token endpoint returned no token`);
    return token;
  }
}

/** Throws a RegistryResponseError built from an unexpected response (its JSON error body when there is one). */
export async function failWith(response: IncomingMessage, what: string): Promise<never> {
  const text = (await readResponseBody(response, 1024 * 1024).catch(() => Buffer.alloc(0))).toString("utf8");
  let code: string | undefined;
  let message = text.slice(0, 300);
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    code = first?.code;
    message = first?.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  throw new RegistryResponseError(response.statusCode ?? 0, code, `${what}: ${response.statusCode}${code ? ` ${code}` : ""}${message ? ` — ${message}` : ""}`);
}
