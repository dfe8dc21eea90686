/** /api/v1 runs: list a repo's runs, show one with jobs and steps, read a job's logs, cancel. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { RunRecord } from "../../store";
import { findRepoOrThrow, requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";

export function runRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;

  const visibleRun = async (id: number, user: Parameters<typeof requireRepoRole>[2], role: "viewer" | "developer" = "viewer") => {
    const run = await store.runs.getRun(id);
    if (!run) throw new SlipwayError("RUN_NOT_FOUND", `There is no run ${id}.`);
    const [owner, name] = run.repo.split("/");
    const repo = await findRepoOrThrow(store, owner ?? "", name ?? "");
    await requireRepoRole(store, repo, user, role);
    return run;
  };

  return async (app) => {
    app.get<{ Params: { owner: string; name: string }; Querystring: { limit?: number; before?: number; workflow?: string } }>(
      "/repos/:owner/:name/runs",
      { schema: { querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 500 }, before: { type: "integer" }, workflow: { type: "string" } } } } },
      async (request): Promise<RunRecord[]> => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "viewer");
        return store.runs.listRuns({ repo: repo.fullName, limit: request.query.limit ?? 50, beforeId: request.query.before, workflowFile: request.query.workflow });
      },
    );

    app.get<{ Querystring: { limit?: number; before?: number } }>(
      "/runs",
      { schema: { querystring: { type: "object", properties: { limit: { type: "integer", minimum: 1, maximum: 500 }, before: { type: "integer" } } } } },
      async (request) => {
        const runs = await store.runs.listRuns({ limit: 500, beforeId: request.query.before });
        const visible: RunRecord[] = [];
        for (const run of runs) {
          const [owner, name] = run.repo.split("/");
          const repo = await store.repos.findRepo(owner ?? "", name ?? "");
          if (!repo) continue;
          const allowed = await requireRepoRole(store, repo, request.user, "viewer").then(() => true, () => false);
          if (allowed) visible.push(run);
          if (visible.length >= (request.query.limit ?? 50)) break;
        }
        return visible;
      },
    );

    app.get<{ Params: { id: number } }>("/runs/:id", { schema: { params: { type: "object", properties: { id: { type: "integer" } } } } }, async (request) =>
      visibleRun(request.params.id, request.user),
    );

    app.get<{ Params: { id: number; job: number }; Querystring: { after?: number; limit?: number } }>(
      "/runs/:id/jobs/:job/logs",
      {
        schema: {
          params: { type: "object", properties: { id: { type: "integer" }, job: { type: "integer" } } },
          querystring: { type: "object", properties: { after: { type: "integer", minimum: 0 }, limit: { type: "integer", minimum: 1, maximum: 1000 } } },
        },
      },
      async (request) => {
        const run = await visibleRun(request.params.id, request.user);
        if (!run.jobs.some((j) => j.id === request.params.job)) throw new SlipwayError("JOB_NOT_FOUND", `Run ${run.id} has no job ${request.params.job}.`);
        return store.logs.read(request.params.job, { afterSeq: request.query.after ?? 0, limit: request.query.limit ?? 200 });
      },
    );

    app.post<{ Params: { id: number } }>("/runs/:id/cancel", { schema: { params: { type: "object", properties: { id: { type: "integer" } } } } }, async (request, reply) => {
      const run = await visibleRun(request.params.id, request.user, "developer");
      const cancelled = context.dispatcher.cancel(run.id);
      return reply.status(cancelled ? 202 : 409).send({ runId: run.id, cancelled, status: run.status });
    });
  };
}
