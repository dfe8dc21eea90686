/** /api/v1 cost-saving schedules: an environment's uptime and exclusions, sleep/wake now (optionally for a while), and replica-hours saved. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { parseDuration } from "../../insight/duration";
import type { UserRecord } from "../../store";
import { requireAdmin, requireUser } from "../access";
import type { ServerContext } from "../server-context";

type EnvParams = { env: string };
type ScheduleBody = { uptime: string | null; exclusions?: string[] };
type PowerBody = { for?: string } | undefined;

const envParams = { type: "object", required: ["env"], properties: { env: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" } } } as const;
const powerBody = { type: ["object", "null"], additionalProperties: false, properties: { for: { type: "string", minLength: 2 } } } as const;

function durationOf(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw new SlipwayError("REQUEST_INVALID", `${field}: "${text}" is not a duration like 2h, 30m or 1d.`);
  return ms;
}

/** Changing an environment's power needs an admin: it stops every service in it. */
function operator(user: UserRecord | undefined): UserRecord {
  return requireAdmin(user);
}

export function environmentScheduleRoutes(context: ServerContext): FastifyPluginAsync {
  const schedules = context.schedules;
  return async (app) => {
    app.get("/schedules", { schema: { summary: "Every environment with a schedule or override: state, next change, replica-hours saved" } }, async (request) => {
      requireUser(request.user);
      return schedules.statuses();
    });

    app.get<{ Params: EnvParams }>("/environments/:env/schedule", { schema: { summary: "An environment's uptime, exclusions, state and savings", params: envParams } }, async (request) => {
      requireUser(request.user);
      return schedules.status(request.params.env);
    });

    app.put<{ Params: EnvParams; Body: ScheduleBody }>(
      "/environments/:env/schedule",
      {
        schema: {
          summary: "Set the uptime window (e.g. Mon-Fri 08:00-19:00 Europe/Berlin; null: always up) and the apps that never sleep",
          params: envParams,
          body: {
            type: "object", required: ["uptime"], additionalProperties: false,
            properties: { uptime: { type: ["string", "null"], minLength: 1 }, exclusions: { type: "array", items: { type: "string", minLength: 1 } } },
          },
        },
      },
      async (request) => {
        operator(request.user);
        return schedules.setSchedule(request.params.env, request.body.uptime, request.body.exclusions);
      },
    );

    for (const [verb, state] of [["sleep", "asleep"], ["wake", "awake"]] as const) {
      app.post<{ Params: EnvParams; Body: PowerBody }>(
        `/environments/:env/${verb}`,
        { schema: { summary: `${verb === "sleep" ? "Scale the environment to zero" : "Bring the environment back"} now, for a while (for: 2h) or until its schedule next turns`, params: envParams, body: powerBody } },
        async (request) => {
          const user = operator(request.user);
          return schedules.override(request.params.env, state, durationOf(request.body?.for, "for"), user.name);
        },
      );
    }

    app.get<{ Querystring: { env?: string; since?: string } }>(
      "/metrics/savings",
      { schema: { summary: "Replica-hours saved by sleeping environments", querystring: { type: "object", additionalProperties: false, properties: { env: { type: "string", minLength: 1 }, since: { type: "string", minLength: 2 } } } } },
      async (request) => {
        requireUser(request.user);
        return schedules.savings(request.query.env, durationOf(request.query.since ?? "30d", "since") ?? 0);
      },
    );
  };
}
