/**
 * GET /api/v1/events/stream: server events as text/event-stream for live dashboards. EventSource cannot send
 * headers: a browser first trades its token for a stream cookie (POST /api/v1/events/session, see
 * event-stream-session.ts); other clients may send ?access_token=. Each client sees only events of repositories it may view,
 * gets a keepalive comment every `heartbeat` seconds, and is dropped when it stops reading (bounded buffer).
 * Server shutdown ends every stream with a `shutdown` message.
 *
 * Every event gets an id `<boot>-<n>` when it happens, and the last `replayLimit` are kept: a client that comes
 * back with `Last-Event-ID` (EventSource sends it by itself on reconnect) first gets what it missed, in order;
 * when that is no longer kept, or the server restarted since, it gets a `stream.reset` message instead, which
 * tells it to read the current state again.
 */

import type { FastifyPluginAsync } from "fastify";
import type { ServerResponse } from "node:http";
import { SlipwayError } from "../../core/errors";
import { hashToken, type UserRecord } from "../../store";
import { tokenFromHeader } from "../access";
import { StreamSessionCookies, streamCookieTtlSeconds } from "../event-stream-session";
import type { ServerContext } from "../server-context";
import type { ServerEvent } from "../services/server-events";
import { repoVisibility, typeMatcher } from "./events";

/** A client that has this much unwritten output has stopped reading: it is disconnected. */
export const maxBufferedBytes = 1024 * 1024;
/** Visibility is re-checked after this long, so a revoked role stops the flow. */
const visibilityTtlMs = 30_000;
/** Events kept for clients that reconnect with Last-Event-ID. */
export const replayLimit = 2_000;

type StreamQuery = { access_token?: string; type?: string; repo?: string; heartbeat?: number; lastEventId?: string };

/** An event as the stream numbered it. */
interface Numbered {
  seq: number;
  event: ServerEvent;
  at: number;
}

/** Numbers every event once, keeps the last `replayLimit`, and hands each to the connected clients. */
class EventJournal {
  /** Ids of an earlier run of the server are not this one's. */
  readonly boot = Date.now().toString(36);
  private seq = 0;
  private readonly kept: Numbered[] = [];
  private readonly listeners = new Set<(entry: Numbered) => void>();

  record(event: ServerEvent): void {
    const entry = { seq: (this.seq += 1), event, at: Date.now() };
    this.kept.push(entry);
    if (this.kept.length > replayLimit) this.kept.splice(0, this.kept.length - replayLimit);
    for (const listener of this.listeners) listener(entry);
  }

  listen(listener: (entry: Numbered) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  id(entry: Numbered): string {
    return `${this.boot}-${entry.seq}`;
  }

  /** The kept events after `lastEventId`, or undefined when some of them are no longer kept (or the id is another run's). */
  since(lastEventId: string): Numbered[] | undefined {
    const match = /^([0-9a-z]+)-(\d+)$/.exec(lastEventId);
    if (!match || match[1] !== this.boot) return undefined;
    const last = Number(match[2]);
    const oldest = this.kept[0]?.seq ?? this.seq + 1;
    if (last > this.seq || last < oldest - 1) return undefined;
    return this.kept.slice(last - oldest + 1);
  }
}

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
  const journal = new EventJournal();
  const cookies = new StreamSessionCookies();

  return async (app) => {
    const stopRecording = context.events.subscribe((event) => journal.record(event));
    app.addHook("preClose", async () => {
      stopRecording();
      for (const client of [...clients]) client.end("shutdown");
    });

    app.post(
      "/events/session",
      {
        schema: {
          summary: "Trades the token in the Authorization header for the event stream's cookie (for EventSource, which cannot send headers)",
          tags: ["events"],
          response: { 200: { type: "object", required: ["expiresAt"], properties: { expiresAt: { type: "string", format: "date-time" } } } },
        },
      },
      async (request, reply) => {
        const token = tokenFromHeader(request.headers.authorization);
        if (!request.user || token === undefined) throw new SlipwayError("UNAUTHENTICATED", "Send the token as an Authorization header to get a stream cookie.");
        const cookie = cookies.issue(hashToken(token), request.protocol === "https" || request.headers["x-forwarded-proto"] === "https");
        return reply.header("set-cookie", cookie.header).header("cache-control", "no-store").send({ expiresAt: cookie.expiresAt.toISOString() });
      },
    );

    app.delete("/events/session", { schema: { summary: "Removes the event stream's cookie (signing out)", tags: ["events"], response: { 204: { type: "null" } } } }, async (_request, reply) =>
      reply.header("set-cookie", cookies.cleared()).status(204).send(),
    );

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
              lastEventId: { type: "string", maxLength: 64, description: "Resume after this event id (as the Last-Event-ID header does): missed events come first, or a stream.reset message." },
            },
          },
          response: { 200: { description: "An event stream: `data: <ServerEvent JSON>` messages with ids `<boot>-<n>`; `stream.reset` when missed events cannot be replayed.", type: "string" } },
        },
      },
      async (request, reply) => {
        let user: UserRecord | undefined = request.user;
        if (!user && request.query.access_token) user = await store.accounts.authenticate(request.query.access_token);
        const cookieToken = user ? undefined : cookies.verify(request.headers.cookie);
        // The token the cookie was issued for must still exist: revoking it ends the cookie.
        if (cookieToken) user = await store.accounts.userOfTokenHash(cookieToken);
        if (!user) {
          // Answered here, without a WWW-Authenticate challenge: EventSource in a browser would otherwise raise a login prompt.
          const why = request.query.access_token ? "The token is not valid." : `Authentication required: an Authorization header, the cookie from POST /api/v1/events/session (valid ${streamCookieTtlSeconds / 3600} h, revoked with its token), or ?access_token=.`;
          return reply.status(401).send({ error: new SlipwayError("UNAUTHENTICATED", why).toJSON() });
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
        const deliver = async (entry: Numbered): Promise<void> => {
          const repo = eventRepo(entry.event);
          if (onlyRepo !== undefined && repo !== onlyRepo) return;
          if (Date.now() - visibleSince > visibilityTtlMs) {
            visible = repoVisibility(store, viewer);
            visibleSince = Date.now();
          }
          if (!(await visible(repo))) return;
          write(`id: ${journal.id(entry)}\ndata: ${JSON.stringify({ ...entry.event, at: entry.at })}\n\n`);
        };
        const enqueue = (entry: Numbered): void => {
          if (closed || !matches(entry.event.type)) return;
          // Visibility checks are async: a chain keeps the order; a client whose chain grows without bound is dropped.
          queued += 1;
          if (queued > 10_000) return client.end("overflow");
          delivering = delivering.then(() => deliver(entry)).catch(() => undefined).finally(() => {
            queued -= 1;
          });
        };
        const lastEventId = request.headers["last-event-id"] ?? request.query.lastEventId;
        const missed = typeof lastEventId === "string" && lastEventId !== "" ? journal.since(lastEventId) : [];
        const unsubscribe = journal.listen(enqueue);
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
        // Replayed and live events go through one chain (nothing runs between listening and this), so they arrive in order and none twice.
        if (missed) missed.forEach(enqueue);
        else write(`data: ${JSON.stringify({ type: "stream.reset", reason: `events after ${String(lastEventId)} are no longer kept; read the current state again`, at: Date.now() })}\n\n`);
      },
    );
  };
}
