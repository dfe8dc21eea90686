/** The API client: the signed-in token (localStorage), JSON requests, errors with the server's code and message. */

const tokenKey = "slipway.token";

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function getToken(): string | null {
  return localStorage.getItem(tokenKey);
}

export function setToken(token: string): void {
  localStorage.setItem(tokenKey, token);
}

export function clearToken(): void {
  localStorage.removeItem(tokenKey);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const token = init.token ?? getToken();
  const headers: Record<string, string> = { accept: "application/json", "x-requested-with": "slipway-dashboard" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, { method: init.method ?? "GET", headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && init.token === undefined && token) {
      clearToken();
      window.dispatchEvent(new Event("slipway:signed-out"));
    }
    throw new ApiError(response.status, error?.code ?? "HTTP_" + response.status, error?.message ?? `${response.status} ${response.statusText}`);
  }
  return body as T;
}

export const enc = encodeURIComponent;
