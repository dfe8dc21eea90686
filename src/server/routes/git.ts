/** /git/<owner>/<name>.git/…: smart HTTP for clone, fetch and push, with token auth and push events. */

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { Readable } from "node:stream";
import { SlipwayError } from "../../core/errors";
import { serveGitHttp } from "../../git/http-backend";
import { findRepoOrThrow, requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";

const gitContentTypes = ["application/x-git-upload-pack-request", "application/x-git-receive-pack-request"];

function isPush(request: FastifyRequest, rest: string): boolean {
  const service = (request.query as { service?: string }).service;
  return rest.endsWith("/git-receive-pack") || service === "git-receive-pack";
}

export function gitRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  return async (app) => {
    // Hand the request stream to git as it is: no parsing, no buffering.
    app.addContentTypeParser(gitContentTypes, (_request, payload, done) => done(null, payload));

    const handler = async (request: FastifyRequest<{ Params: { owner: string; repo: string; "*": string } }>, reply: FastifyReply): Promise<void> => {
      const { owner } = request.params;
      const repoSegment = request.params.repo;
      if (!repoSegment.endsWith(".git")) throw new SlipwayError("NOT_FOUND", "Git URLs look like /git/<owner>/<name>.git");
      const rest = `/${request.params["*"]}`;
      // `..` would let the path name another repository than the one whose access was checked.
      if (rest.split("/").some((segment) => segment === ".." || segment === ".")) throw new SlipwayError("NOT_FOUND", "Git URLs look like /git/<owner>/<name>.git");
      // Anonymous callers get 401 for a missing repo as for a private one: no probing for names.
      const repo = await findRepoOrThrow(store, owner, repoSegment).catch((error: unknown) => {
        throw request.user ? error : new SlipwayError("UNAUTHENTICATED", "Authentication required.");
      });
      const push = isPush(request, rest);
      await requireRepoRole(store, repo, request.user, push ? "developer" : "viewer");
      const ticket = push ? await context.pushes.ticket(repo, request.user?.name ?? "anonymous") : undefined;
      const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
      reply.hijack();
      await serveGitHttp(
        {
          gitRoot: context.gitRoot,
          pathInfo: `/${repo.owner}/${repo.name}.git${rest}`,
          method: request.method,
          query,
          headers: request.headers,
          body: request.method === "POST" ? (request.body as Readable | undefined) ?? request.raw : undefined,
          remoteUser: request.user?.name ?? "",
          remoteAddr: request.ip,
          env: ticket ? { SLIPWAY_PUSH_SPOOL: ticket.path, SLIPWAY_DEFAULT_BRANCH: repo.defaultBranch } : { SLIPWAY_DEFAULT_BRANCH: repo.defaultBranch },
        },
        reply.raw,
      );
      if (ticket && rest.endsWith("/git-receive-pack")) {
        await context.pushes.receive(ticket).catch((error: unknown) => context.log(`push to ${repo.fullName}: ${String(error)}`));
      }
    };
    app.get("/:owner/:repo/*", handler);
    app.post("/:owner/:repo/*", handler);
  };
}
