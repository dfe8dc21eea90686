/** The dashboard at /: the built web/ app (dist/web) with a single-page-app fallback to index.html; API-like paths keep JSON 404s. */

import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SlipwayError } from "../core/errors";

/** Paths that belong to the API, git, webhooks or the registry: never answered with the dashboard. */
const serverPrefixes = ["/api/", "/git/", "/hooks/", "/v2/", "/v2", "/healthz", "/metrics"];

/** dist/web next to the running bundle (dist/*.js or dist/chunks/*.js), or the checkout's dist/web when run from src/. */
export function findWebRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  const override = process.env.SLIPWAY_WEB_ROOT;
  if (override) return existsSync(join(override, "index.html")) ? resolve(override) : undefined;
  let dir = start;
  for (let depth = 0; depth < 5; depth += 1) {
    for (const candidate of [join(dir, "web"), join(dir, "dist", "web")]) {
      if (existsSync(join(candidate, "index.html")) && existsSync(join(candidate, "assets"))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

const notBuilt = `<!doctype html><meta charset="utf-8"><title>slipway</title>
<p>The dashboard is not built. Run <code>npm run build</code> and restart <code>slipway up</code>. The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>`;

export async function serveWeb(app: FastifyInstance, webRoot = findWebRoot()): Promise<void> {
  if (webRoot) {
    await app.register(fastifyStatic, {
      root: webRoot,
      prefix: "/",
      index: ["index.html"],
      setHeaders(response, path) {
        // Vite names assets by content hash: they never change; index.html must always be fetched again.
        response.setHeader("cache-control", path.includes(`${join("assets", "")}`) ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  } else {
    app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(notBuilt));
  }
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const accepts = request.headers.accept ?? "";
    if (request.method !== "GET" || serverPrefixes.some((prefix) => path === prefix || path.startsWith(prefix)) || /\.[a-z0-9]+$/i.test(path) || !accepts.includes("text/html")) {
      throw new SlipwayError("NOT_FOUND", `No route for ${request.method} ${path}.`);
    }
    if (!webRoot) return reply.type("text/html; charset=utf-8").send(notBuilt);
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
