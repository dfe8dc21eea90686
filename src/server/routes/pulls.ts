/** /api/v1/repos/:owner/:name/pulls and branch protection: pull requests, reviews, merges and their rules. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { effectiveProtection } from "../../git/branch-protection";
import { mergeMethods, type MergeMethod } from "../../git/merge";
import type { PullRequestState, ReviewState } from "../../store";
import { findRepoOrThrow, requireRepoRole, requireUser } from "../access";
import type { ServerContext } from "../server-context";
import { mergePullRequest } from "../services/pull-request-merge";
import { closePullRequest, describePullRequest, findPullRequestOrThrow, openPullRequest, reopenPullRequest, reviewPullRequest } from "../services/pull-requests";

type RepoParams = { owner: string; name: string };
type PullParams = RepoParams & { number: number };

const pullParams = { type: "object", properties: { owner: { type: "string" }, name: { type: "string" }, number: { type: "integer", minimum: 1 } } } as const;
const reviewEvents: Record<string, ReviewState> = { approve: "approved", request_changes: "changes_requested", comment: "commented" };

export function pullRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const repoFor = async (params: RepoParams, user: Parameters<typeof requireRepoRole>[2], role: "viewer" | "developer" | "admin") => {
    const repo = await findRepoOrThrow(store, params.owner, params.name);
    await requireRepoRole(store, repo, user, role);
    return repo;
  };

  return async (app) => {
    app.get<{ Params: RepoParams; Querystring: { state?: PullRequestState | "all" } }>(
      "/repos/:owner/:name/pulls",
      { schema: { querystring: { type: "object", properties: { state: { type: "string", enum: ["open", "closed", "merged", "all"] } } } } },
      async (request) => {
        const repo = await repoFor(request.params, request.user, "viewer");
        return store.pullRequests.listPullRequests(repo.id, { state: request.query.state ?? "open" });
      },
    );

    app.post<{ Params: RepoParams; Body: { source: string; target?: string; title: string; body?: string } }>(
      "/repos/:owner/:name/pulls",
      {
        schema: {
          body: {
            type: "object",
            required: ["source", "title"],
            additionalProperties: false,
            properties: { source: { type: "string", minLength: 1 }, target: { type: "string", minLength: 1 }, title: { type: "string", maxLength: 500 }, body: { type: "string", maxLength: 65536 } },
          },
        },
      },
      async (request, reply) => {
        const repo = await repoFor(request.params, request.user, "developer");
        const { source, target, title, body } = request.body;
        const pr = await openPullRequest(context, repo, requireUser(request.user), { source, target: target ?? repo.defaultBranch, title, body: body ?? "" });
        return reply.status(201).send(await describePullRequest(context, repo, pr));
      },
    );

    app.get<{ Params: PullParams }>("/repos/:owner/:name/pulls/:number", { schema: { params: pullParams } }, async (request) => {
      const repo = await repoFor(request.params, request.user, "viewer");
      return describePullRequest(context, repo, await findPullRequestOrThrow(context, repo, request.params.number));
    });

    app.patch<{ Params: PullParams; Body: { state: "open" | "closed" } }>(
      "/repos/:owner/:name/pulls/:number",
      { schema: { params: pullParams, body: { type: "object", required: ["state"], additionalProperties: false, properties: { state: { type: "string", enum: ["open", "closed"] } } } } },
      async (request) => {
        const repo = await repoFor(request.params, request.user, "developer");
        const pr = await findPullRequestOrThrow(context, repo, request.params.number);
        const user = requireUser(request.user);
        const changed = request.body.state === "closed" ? await closePullRequest(context, repo, pr, user) : await reopenPullRequest(context, repo, pr, user);
        return describePullRequest(context, repo, changed);
      },
    );

    app.get<{ Params: PullParams }>("/repos/:owner/:name/pulls/:number/reviews", { schema: { params: pullParams } }, async (request) => {
      const repo = await repoFor(request.params, request.user, "viewer");
      return store.pullRequests.listReviews((await findPullRequestOrThrow(context, repo, request.params.number)).id);
    });

    app.post<{ Params: PullParams; Body: { event: string; body?: string } }>(
      "/repos/:owner/:name/pulls/:number/reviews",
      {
        schema: {
          params: pullParams,
          body: { type: "object", required: ["event"], additionalProperties: false, properties: { event: { type: "string", enum: Object.keys(reviewEvents) }, body: { type: "string", maxLength: 65536 } } },
        },
      },
      async (request, reply) => {
        // Reviewing needs at least the developer role: viewers are told so by requireRepoRole.
        const repo = await repoFor(request.params, request.user, "developer");
        const pr = await findPullRequestOrThrow(context, repo, request.params.number);
        const user = requireUser(request.user);
        const review = await reviewPullRequest(context, pr, user, { state: reviewEvents[request.body.event] ?? "commented", body: request.body.body ?? "" });
        return reply.status(201).send(review);
      },
    );

    app.put<{ Params: PullParams; Body: { method?: MergeMethod } }>(
      "/repos/:owner/:name/pulls/:number/merge",
      { schema: { params: pullParams, body: { type: "object", additionalProperties: false, properties: { method: { type: "string", enum: [...mergeMethods] } } } } },
      async (request) => {
        const repo = await repoFor(request.params, request.user, "developer");
        return mergePullRequest(context, repo, request.params.number, requireUser(request.user), request.body?.method ?? "merge");
      },
    );

    // Branch names hold slashes (`release/1.x`): the branch is everything between /branches/ and /protection.
    const protectionBranch = (wildcard: string): string => {
      const match = /^(.+)\/protection$/.exec(wildcard);
      if (!match?.[1]) throw new SlipwayError("NOT_FOUND", "Branch protection lives at /repos/:owner/:name/branches/:branch/protection.");
      return match[1];
    };
    type ProtectionParams = RepoParams & { "*": string };

    app.get<{ Params: ProtectionParams }>("/repos/:owner/:name/branches/*", async (request) => {
      const repo = await repoFor(request.params, request.user, "viewer");
      const branch = protectionBranch(request.params["*"]);
      return effectiveProtection(await store.pullRequests.getProtection(repo.id, branch), branch, repo.defaultBranch);
    });

    app.put<{ Params: ProtectionParams; Body: { requiredChecks?: string[]; requiredApprovals?: number; requireUpToDate?: boolean } }>(
      "/repos/:owner/:name/branches/*",
      {
        schema: {
          body: {
            type: "object",
            additionalProperties: false,
            properties: {
              requiredChecks: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 100 },
              requiredApprovals: { type: "integer", minimum: 0, maximum: 20 },
              requireUpToDate: { type: "boolean" },
            },
          },
        },
      },
      async (request) => {
        const repo = await repoFor(request.params, request.user, "admin");
        const branch = protectionBranch(request.params["*"]);
        const { requiredChecks = [], requiredApprovals = 1, requireUpToDate = false } = request.body ?? {};
        const saved = await store.pullRequests.setProtection({ repoId: repo.id, branch, requiredChecks: [...new Set(requiredChecks)], requiredApprovals, requireUpToDate });
        return effectiveProtection(saved, branch, repo.defaultBranch);
      },
    );

    app.delete<{ Params: ProtectionParams }>("/repos/:owner/:name/branches/*", async (request, reply) => {
      const repo = await repoFor(request.params, request.user, "admin");
      await store.pullRequests.deleteProtection(repo.id, protectionBranch(request.params["*"]));
      return reply.status(204).send();
    });
  };
}
