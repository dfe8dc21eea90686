/** GET /api/v1/events: the event log, newest first, paginated by id, filtered by type and repository, visible events only. */

import type { FastifyPluginAsync } from "fastify";
import type { JsonValue } from "../../core/json";
import type { Store, UserRecord } from "../../store";
import { requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";
import { arrayOf, eventSchema, objectSchema } from "./openapi-schemas";

export interface EventView {
  id: number;
  type: string;
  subject: string;
  /** The repository the event belongs to (`owner/name`), when it belongs to one. */
  repo: string | null;
  payload: JsonValue;
  createdAt: number;
}

type EventsQuery = { type?: string; repo?: string; before?: number; after?: number; limit?: number };

/** `run.completed,sync.*` → a matcher; `*` at the end is a prefix. */
export function typeMatcher(filter: string | undefined): (type: string) => boolean {
  const patterns = (filter ?? "").split(",").map((part) => part.trim()).filter(Boolean);
  if (patterns.length === 0) return () => true;
  return (type) => patterns.some((pattern) => (pattern.endsWith("*") ? type.startsWith(pattern.slice(0, -1)) : type === pattern));
}

/** Whether the caller may see a repository's events: cached per caller for the life of the cache object. */
export function repoVisibility(store: Store, user: UserRecord | undefined): (repo: string | null) => Promise<boolean> {
  const cache = new Map<string, Promise<boolean>>();
  return (repo) => {
    if (repo === null) return Promise.resolve(user !== undefined);
    let known = cache.get(repo);
    if (!known) {
      const [owner = "", name = ""] = repo.split("/");
      known = store.repos.findRepo(owner, name).then((found) => (found ? requireRepoRole(store, found, user, "viewer").then(() => true, () => false) : user?.isAdmin === true));
      cache.set(repo, known);
    }
    return known;
  };
}

function payloadRepo(payload: JsonValue): string | undefined {
  return payload && typeof payload === "object" && !Array.isArray(payload) && typeof payload.repo === "string" ? payload.repo : undefined;
}

const pageSize = 500;
/** A filtered page scans at most this many rows, so a rare filter cannot make one request read the whole log. */
const scanLimit = 20_000;

export function eventRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const runRepos = async (ids: number[]): Promise<Map<number, string>> => {
    if (ids.length === 0) return new Map();
    const rows = await store.db.selectFrom("runs").select(["id", "repo"]).where("id", "in", ids).execute();
    return new Map(rows.map((row) => [Number(row.id), row.repo]));
  };

  return async (app) => {
    app.get<{ Querystring: EventsQuery }>(
      "/events",
      {
        schema: {
          summary: "The event log, newest first; page with ?before=<id of the last event seen>",
          tags: ["events"],
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: {
              type: { type: "string", description: "Comma-separated types; a trailing * matches a prefix (run.*)." },
              repo: { type: "string", description: "owner/name" },
              before: { type: "integer", minimum: 1 },
              after: { type: "integer", minimum: 0 },
              limit: { type: "integer", minimum: 1, maximum: 500 },
            },
          },
          response: { 200: objectSchema({ events: arrayOf(eventSchema), next: { type: ["integer", "null"], description: "The `before` of the next page." } }) },
        },
      },
      async (request) => {
        const { repo, before, after = 0, limit = 100 } = request.query;
        const matches = typeMatcher(request.query.type);
        const visible = repoVisibility(store, request.user);
        const events: EventView[] = [];
        let cursor = before;
        let scanned = 0;
        let exhausted = false;
        while (events.length < limit && scanned < scanLimit) {
          let select = store.db.selectFrom("events").selectAll().where("id", ">", after);
          if (cursor !== undefined) select = select.where("id", "<", cursor);
          const rows = await select.orderBy("id", "desc").limit(pageSize).execute();
          scanned += rows.length;
          if (rows.length === 0) {
            exhausted = true;
            break;
          }
          cursor = Number(rows[rows.length - 1]?.id);
          const candidates = rows.filter((row) => matches(row.type));
          const parsed = candidates.map((row) => ({ row, payload: parsePayload(row.payload_json) }));
          const runs = await runRepos(parsed.filter(({ row, payload }) => !payloadRepo(payload) && row.subject.startsWith("run:")).map(({ row }) => Number(row.subject.slice(4))).filter(Number.isInteger));
          for (const { row, payload } of parsed) {
            const owner = payloadRepo(payload) ?? (row.subject.startsWith("run:") ? runs.get(Number(row.subject.slice(4))) : undefined) ?? null;
            if (repo !== undefined && owner !== repo) continue;
            if (!(await visible(owner))) continue;
            events.push({ id: Number(row.id), type: row.type, subject: row.subject, repo: owner, payload, createdAt: Number(row.created_at) });
            if (events.length === limit) {
              cursor = Number(row.id);
              break;
            }
          }
          if (rows.length < pageSize && events.length < limit) {
            exhausted = true;
            break;
          }
        }
        return { events, next: exhausted || cursor === undefined ? null : cursor };
      },
    );
  };
}

function parsePayload(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return null;
  }
}
