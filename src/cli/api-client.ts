/** The CLI's client for a slipway server: SLIPWAY_URL + SLIPWAY_TOKEN, JSON in and out, errors as SlipwayErrors. */

import { SlipwayError, type ErrorCode, errorCatalog } from "../core/errors";

export interface ApiClient {
  url: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

/** The configured server, or undefined when the CLI works on the local repository. */
export function configuredServer(): ApiClient | undefined {
  const url = process.env.SLIPWAY_URL;
  if (!url) return undefined;
  return apiClient(url, process.env.SLIPWAY_TOKEN);
}

export function requireServer(): ApiClient {
  const client = configuredServer();
  if (!client) throw new SlipwayError("USAGE", "This command talks to a slipway server: set SLIPWAY_URL (and SLIPWAY_TOKEN).");
  return client;
}

export function apiClient(baseUrl: string, token: string | undefined): ApiClient {
  const url = baseUrl.replace(/\/+$/, "");
  return {
    url,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${url}/api/v1${path}`, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new SlipwayError("SERVER_UNREACHABLE", `Cannot reach the slipway server at ${url}: ${(error as Error).message}`);
      }
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        const error = (parsed as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
        const code = (error?.code && error.code in errorCatalog ? error.code : response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL") as ErrorCode;
        throw new SlipwayError(code, error?.message ?? `${method} ${path}: HTTP ${response.status}`, { hint: error?.hint });
      }
      return parsed as T;
    },
  };
}
