/** What one send attempt came to: sent, worth retrying (5xx, 429, network), or failed for good. */

export type SendResult = { ok: true; detail?: string } | { ok: false; retryable: boolean; error: string };

/** HTTP statuses: 2xx sent; 408, 429 and 5xx retried; any other failure is final (the receiver rejected it). */
export function httpResult(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return { ok: true, detail: `HTTP ${status}` };
  const retryable = status >= 500 || status === 429 || status === 408;
  return { ok: false, retryable, error: `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ""}` };
}

/** POSTs JSON with a timeout; network errors and timeouts are retryable. */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<SendResult> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "user-agent": "slipway-notify", ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
    return httpResult(response.status, await response.text().catch(() => ""));
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return { ok: false, retryable: true, error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}
