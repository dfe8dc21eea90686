/** One HTTP(S) request with a streamed or buffered body and a streamed response; keep-alive agents; redirects followed. */

import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";

export type RequestBody = Buffer | (() => Readable);

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A function for streams, so a redirected request can open the body again. */
  body?: RequestBody;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });

function sendOnce(request: HttpRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = request.url.protocol === "https:";
    const headers: Record<string, string> = { ...request.headers };
    if (Buffer.isBuffer(request.body)) headers["Content-Length"] = String(request.body.length);
    else if (request.body === undefined && ["POST", "PUT", "PATCH"].includes(request.method)) headers["Content-Length"] ??= "0";
    const outgoing = (secure ? https : http).request(request.url, { method: request.method, headers, agent: secure ? httpsAgent : httpAgent }, resolve);
    outgoing.on("error", reject);
    if (Buffer.isBuffer(request.body)) outgoing.end(request.body);
    else if (request.body) {
      const source = request.body();
      source.on("error", (error) => outgoing.destroy(error));
      source.pipe(outgoing);
    } else outgoing.end();
  });
}

/** Sends the request, following up to 5 redirects (dropping Authorization when the host changes). */
export async function sendHttpRequest(request: HttpRequest): Promise<IncomingMessage> {
  let current = request;
  for (let hop = 0; hop < 6; hop++) {
    const response = await sendOnce(current);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(status) || !location || current.method === "PUT" || current.method === "POST" || current.method === "PATCH") return response;
    response.resume();
    const next = new URL(location, current.url);
    const headers = { ...current.headers };
    if (next.host !== current.url.host) delete headers.Authorization;
    current = { ...current, url: next, headers };
  }
  throw new Error(`too many redirects from ${request.url.href}`);
}

export async function readResponseBody(response: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.destroy();
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
