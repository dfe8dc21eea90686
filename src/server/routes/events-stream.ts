/**
 * GET /api/v1/events/stream: server events as text/event-stream for live dashboards. EventSource cannot send
 * headers, so the token may come as ?access_token=. Each client sees only events of repositories it may view,
 * gets a keepalive comment every `heartbeat` seconds, and is dropped when it stops reading (bounded buffer).
 * Server shutdown ends every stream with a `shutdown` message.
 */

import type { FastifyPluginAsync } from "fastify";
import type { ServerResponse } from "node:http";
import { SlipwayError } from "../../core/errors";
import type { UserRecord } from "../../store";
import type { ServerContext } from "../server-context";
import type { ServerEvent } from "../services/server-events";
import { repoVisibility, typeMatcher } from "./events";

/** A client that has this much unwritten output has stopped reading: it is disconnected. */
export const maxBufferedBytes = 1024 * 1024;
/** Visibility is re-checked after this long, so a revoked role stops the flow. */
const visibilityTtlMs = 30_000;

type StreamQuery = { access_token?: string; type?: string; repo?: string; heartbeat?: number };

interface StreamClient {
  raw: ServerResponse;
  end(reason: string): void;
}

function eventRepo(event: ServerEvent): string | null {
  const repo = (event as { repo?: unknown }).repo;
  return typeof repo === "string" ? repo : null;
}

export function eventStreamRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const clients = new Set<StreamClient>();
  let sequence = 0;

  return async (app) => {
    app.addHook("preClose", async () => {
      for (const client of [...clients]) client.end("shutdown");
    });

    app.get<{ Querystring: StreamQuery }>(
      "/events/stream",
      {
        schema: {
          summary: "Live server events (text/event-stream): runs, jobs, steps, pushes, syncs, rollbacks, approvals",
          tags: ["events"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              access_token: { type: "string", description: "The token, for clients that cannot send an Authorization header (EventSource)." },
              type: { type: "string", description: "Comma-separated event types; a trailing * matches a prefix." },
              repo: { type: "string", description: "Only this repository's events (owner/name)." },
              heartbeat: { type: "integer", minimum: 1, maximum: 300, description: "Seconds between keepalive comments (default 15)." },
            },
          },
          response: { 200: { description: "An event stream: `data: <ServerEvent JSON>` messages with ids.", type: "string" } },
        },
      },
      async (request, reply) => {
        let user: UserRecord | undefined = request.user;
        if (!user && request.query.access_token) user = await store.accounts.authenticate(request.query.access_token);
        if (!user) {
          // Answered here, without a WWW-Authenticate challenge: EventSource in a browser would otherwise raise a login prompt.
          const error = new SlipwayError("UNAUTHENTICATED", request.query.access_token ? "The token is not valid." : "Authentication required: send a token (?access_token= for EventSource).");
          return reply.status(401).send({ error: error.toJSON() });
        }
        const viewer = user;
        const matches = typeMatcher(request.query.type);
        const onlyRepo = request.query.repo;
        let visible = repoVisibility(store, viewer);
        let visibleSince = Date.now();

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
        raw.socket?.setNoDelay(true);
        let closed = false;
        let delivering: Promise<void> = Promise.resolve();
        let queued = 0;

        const write = (text: string): void => {
          if (closed) return;
          raw.write(text);
          if (raw.writableLength > maxBufferedBytes) client.end("overflow");
        };
        const client: StreamClient = {
          raw,
          end(reason) {
            if (closed) return;
            if (reason === "shutdown") raw.write(`data: ${JSON.stringify({ type: "shutdown" })}\n\n`);
            closed = true;
            cleanup();
            if (reason === "overflow") raw.destroy();
            else raw.end();
          },
        };
        const deliver = async (event: ServerEvent): Promise<void> => {
          const repo = eventRepo(event);
          if (onlyRepo !== undefined && repo !== onlyRepo) return;
          if (Date.now() - visibleSince > visibilityTtlMs) {
            visible = repoVisibility(store, viewer);
            visibleSince = Date.now();
          }
          if (!(await visible(repo))) return;
          sequence += 1;
          write(`id: ${sequence}\ndata: ${JSON.stringify({ ...event, at: Date.now() })}\n\n`);
        };
        const unsubscribe = context.events.subscribe((event) => {
          if (closed || !matches(event.type)) return;
          // Visibility checks are async: a chain keeps the order; a client whose chain grows without bound is dropped.
          queued += 1;
          if (queued > 10_000) return client.end("overflow");
          delivering = delivering.then(() => deliver(event)).catch(() => undefined).finally(() => {
            queued -= 1;
          });
        });
        const heartbeat = setInterval(() => write(`: keepalive ${Date.now()}\n\n`), (request.query.heartbeat ?? 15) * 1000);
        const cleanup = (): void => {
          unsubscribe();
          clearInterval(heartbeat);
          clients.delete(client);
        };
        raw.on("close", () => {
          closed = true;
          cleanup();
        });
        clients.add(client);
        write(`retry: 3000\n: connected as ${viewer.name}\n\n`);
      },
    );
  };
}
