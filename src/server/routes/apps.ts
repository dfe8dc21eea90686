/** /api/v1/apps: the Argo CD Applications of env repos — status, resources, history, replicas, manual sync and rollback. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { RepoRole, UserRecord } from "../../store";
import { requireRepoRole, requireUser } from "../access";
import type { ServerContext } from "../server-context";
import type { FoundApp } from "../services/delivery";

type AppParams = { name: string };
type AppQuery = { repo?: string };

const appParams = { type: "object", properties: { name: { type: "string", minLength: 1 } } } as const;
const appQuery = { type: "object", properties: { repo: { type: "string" } } } as const;

export function appRoutes(context: ServerContext): FastifyPluginAsync {
  const { store, delivery } = context;

  /** An app the caller may see with `role`; one in a repo they cannot see is not found. */
  const appFor = async (name: string, repo: string | undefined, user: UserRecord | undefined, role: RepoRole): Promise<FoundApp> => {
    const found = delivery.find(name, repo);
    try {
      await requireRepoRole(store, found.repo, user, role);
    } catch (error) {
      if (error instanceof SlipwayError && error.code === "NOT_FOUND") throw new SlipwayError("NOT_FOUND", `There is no Application named ${name}.`);
      throw error;
    }
    return found;
  };

  const visible = async (found: FoundApp, user: UserRecord | undefined): Promise<boolean> =>
    requireRepoRole(store, found.repo, user, "viewer").then(
      () => true,
      () => false,
    );

  return async (app) => {
    app.get("/apps", async (request) => {
      const all = delivery.applications();
      const shown: FoundApp[] = [];
      for (const found of all) if (await visible(found, request.user)) shown.push(found);
      return shown.map((found) => delivery.summary(found)).sort((a, b) => a.name.localeCompare(b.name) || a.repo.localeCompare(b.repo));
    });

    app.get<{ Params: AppParams; Querystring: AppQuery }>("/apps/:name", { schema: { params: appParams, querystring: appQuery } }, async (request) => {
      const found = await appFor(request.params.name, request.query.repo, request.user, "viewer");
      return { ...delivery.summary(found), resources: delivery.resources(found), history: found.app.syncHistory() };
    });

    app.get<{ Params: AppParams; Querystring: AppQuery & { limit?: number } }>(
      "/apps/:name/syncs",
      {
        schema: {
          summary: "The Application's sync history from the store, newest first (survives restarts)",
          tags: ["apps"],
          params: appParams,
          querystring: { type: "object", properties: { repo: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 1000 } } },
        },
      },
      async (request) => {
        const found = await appFor(request.params.name, request.query.repo, request.user, "viewer");
        return delivery.syncHistory(found, request.query.limit ?? 100);
      },
    );

    app.get<{ Params: AppParams; Querystring: AppQuery & { limit?: number } }>(
      "/apps/:name/deployments",
      {
        schema: {
          summary: "The Application's deployment outcomes (healthy, failed, rolled-back), newest first",
          tags: ["apps"],
          params: appParams,
          querystring: { type: "object", properties: { repo: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 1000 } } },
        },
      },
      async (request) => {
        const found = await appFor(request.params.name, request.query.repo, request.user, "viewer");
        return store.syncs.listDeployments({ repo: found.repo.fullName, app: found.app.name, limit: request.query.limit ?? 100 });
      },
    );

    app.get<{ Params: AppParams; Querystring: AppQuery }>("/apps/:name/replicas", { schema: { params: appParams, querystring: appQuery } }, async (request) => {
      const found = await appFor(request.params.name, request.query.repo, request.user, "viewer");
      return delivery.replicas(found);
    });

    app.post<{ Params: AppParams; Querystring: AppQuery }>("/apps/:name/sync", { schema: { params: appParams, querystring: appQuery } }, async (request) => {
      const found = await appFor(request.params.name, request.query.repo, request.user, "developer");
      await found.app.sync(requireUser(request.user).name);
      return { ...delivery.summary(found), history: found.app.syncHistory() };
    });

    app.post<{ Params: AppParams; Querystring: AppQuery; Body: { revision?: string } | undefined }>(
      "/apps/:name/rollback",
      { schema: { params: appParams, querystring: appQuery, body: { type: ["object", "null"], additionalProperties: false, properties: { revision: { type: "string", minLength: 1 } } } } },
      async (request) => {
        const found = await appFor(request.params.name, request.query.repo, request.user, "developer");
        const record = await found.app.rollback(request.body?.revision, requireUser(request.user).name);
        return { record, app: delivery.summary(found) };
      },
    );
  };
}
