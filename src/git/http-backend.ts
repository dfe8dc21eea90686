/** Git smart HTTP through `git http-backend` (CGI): clone, fetch, push and shallow clones, streamed both ways. */

import { spawn } from "node:child_process";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Readable } from "node:stream";

export interface GitHttpRequest {
  /** Directory holding `<owner>/<name>.git`. */
  gitRoot: string;
  /** e.g. `/acme/shop.git/info/refs`. */
  pathInfo: string;
  method: string;
  query: string;
  headers: IncomingHttpHeaders;
  body?: Readable;
  remoteUser: string;
  remoteAddr: string;
  /** Extra environment for the backend and the hooks it runs (push spool, default branch). */
  env?: Record<string, string>;
}

/** Resolves with git's exit code once the response has been written. */
export function serveGitHttp(request: GitHttpRequest, response: ServerResponse): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: request.gitRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    GIT_HTTP_MAX_REQUEST_BUFFER: String(100 * 1024 * 1024),
    PATH_INFO: request.pathInfo,
    REQUEST_METHOD: request.method,
    QUERY_STRING: request.query,
    CONTENT_TYPE: String(request.headers["content-type"] ?? ""),
    REMOTE_USER: request.remoteUser,
    REMOTE_ADDR: request.remoteAddr,
    GATEWAY_INTERFACE: "CGI/1.1",
    ...request.env,
  };
  if (request.headers["content-length"]) env.CONTENT_LENGTH = String(request.headers["content-length"]);
  if (request.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(request.headers["content-encoding"]);
  if (request.headers["git-protocol"]) env.GIT_PROTOCOL = String(request.headers["git-protocol"]);

  return new Promise((resolve) => {
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    if (request.body) request.body.pipe(child.stdin).on("error", () => undefined);
    else child.stdin.end();
    child.stdin.on("error", () => undefined);

    let headerBuffer = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        if (!response.write(chunk)) {
          child.stdout.pause();
          response.once("drain", () => child.stdout.resume());
        }
        return;
      }
      headerBuffer = Buffer.concat([headerBuffer, chunk]);
      const end = findHeaderEnd(headerBuffer);
      if (end === undefined) return;
      headersDone = true;
      writeCgiHeaders(headerBuffer.subarray(0, end.index).toString("latin1"), response);
      const rest = headerBuffer.subarray(end.index + end.length);
      if (rest.length > 0) response.write(rest);
    });
    child.on("close", (code) => {
      if (!headersDone) {
        response.statusCode = 500;
        response.setHeader("content-type", "text/plain");
        response.write(`git http-backend failed: ${stderr.trim() || `exit ${code}`}\n`);
      }
      response.end();
      resolve(code ?? 1);
    });
  });
}

function findHeaderEnd(buffer: Buffer): { index: number; length: number } | undefined {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { index: crlf, length: 4 };
  if (lf >= 0) return { index: lf, length: 2 };
  return undefined;
}

function writeCgiHeaders(block: string, response: ServerResponse): void {
  response.statusCode = 200;
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") response.statusCode = Number.parseInt(value, 10) || 500;
    else response.setHeader(name, value);
  }
}
