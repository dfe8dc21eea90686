/** /api/v1 releases: a repository's releases (version, tag, changelog) and one release by tag. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { findRepoOrThrow, requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";
import { arrayOf, releaseSchema } from "./openapi-schemas";

type RepoParams = { owner: string; name: string };

const repoProperties = { owner: { type: "string" }, name: { type: "string" } } as const;

export function releaseRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const visibleRepo = async (params: RepoParams, user: Parameters<typeof requireRepoRole>[2]) => {
    const repo = await findRepoOrThrow(store, params.owner, params.name);
    await requireRepoRole(store, repo, user, "viewer");
    return repo;
  };

  return async (app) => {
    app.get<{ Params: RepoParams; Querystring: { service?: string; limit?: number } }>(
      "/repos/:owner/:name/releases",
      {
        schema: {
          summary: "Releases, newest first (one service's with ?service=)",
          tags: ["releases"],
          params: { type: "object", required: ["owner", "name"], properties: repoProperties },
          querystring: { type: "object", additionalProperties: false, properties: { service: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: 500 } } },
          response: { 200: arrayOf(releaseSchema) },
        },
      },
      async (request) => {
        const repo = await visibleRepo(request.params, request.user);
        return store.releases.list({ repo: repo.fullName, service: request.query.service, limit: request.query.limit ?? 100 });
      },
    );

    app.get<{ Params: RepoParams & { tag: string } }>(
      "/repos/:owner/:name/releases/:tag",
      {
        schema: {
          summary: "One release by its tag",
          tags: ["releases"],
          params: { type: "object", required: ["owner", "name", "tag"], properties: { ...repoProperties, tag: { type: "string", minLength: 1 } } },
          response: { 200: releaseSchema },
        },
      },
      async (request) => {
        const repo = await visibleRepo(request.params, request.user);
        const release = await store.releases.findByTag(repo.fullName, request.params.tag);
        if (!release) throw new SlipwayError("NOT_FOUND", `${repo.fullName} has no release tagged '${request.params.tag}'.`);
        return release;
      },
    );
  };
}
