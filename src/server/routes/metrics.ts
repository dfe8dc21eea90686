/**
 * GET /metrics (Prometheus text format, outside /api/v1) and GET /api/v1/metrics/dora. /metrics needs no
 * token — Prometheus scrapes without one — and shows only counts by environment and outcome (no repo,
 * user or secret); a wrong token is still refused by the server's authentication hook.
 */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { parseDuration } from "../../insight/duration";
import { commitTimeResolver } from "../../insight/commit-times";
import { readDoraReport } from "../../insight/dora-reader";
import { requireUser } from "../access";
import type { ServerContext } from "../server-context";

type DoraQuery = { env?: string; since?: string };

export function prometheusRoute(context: ServerContext): FastifyPluginAsync {
  return async (app) => {
    app.get("/metrics", async (_request, reply) => {
      const text = await context.metrics.exposition();
      return reply.header("content-type", context.metrics.contentType).send(text);
    });
  };
}

export function doraRoutes(context: ServerContext): FastifyPluginAsync {
  const commitTimeOf = commitTimeResolver(async () => (await context.store.repos.listRepos()).map((repo) => context.repoPath(repo)));
  return async (app) => {
    app.get<{ Querystring: DoraQuery }>(
      "/metrics/dora",
      { schema: { querystring: { type: "object", additionalProperties: false, properties: { env: { type: "string", minLength: 1 }, since: { type: "string", minLength: 2 } } } } },
      async (request) => {
        requireUser(request.user);
        const sinceMs = parseDuration(request.query.since ?? "30d");
        if (sinceMs === undefined) throw new SlipwayError("REQUEST_INVALID", `since: "${request.query.since}" is not a duration like 30d, 12h or 2w.`);
        return readDoraReport(context.store.events, {
          environment: request.query.env ?? "prod",
          until: Date.now(),
          since: Date.now() - sinceMs,
          commitTimeOf,
          environmentOf: (app, repo) => {
            try {
              return context.delivery.find(app, repo).app.namespace;
            } catch {
              return undefined;
            }
          },
        });
      },
    );
  };
}
