/**
 * POST /hooks/github/:owner/:name: GitHub webhook deliveries (`push`, `pull_request`) for a mirrored repo.
 * The X-Hub-Signature-256 HMAC is checked over the raw body with the repo's secret; a bad signature gets
 * 401 and changes nothing. A push fetches the mirror, then runs exactly as a push to slipway would.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { changedPaths } from "../../git/local-repo";
import { findRepoOrThrow } from "../access";
import type { ServerContext } from "../server-context";
import { fetchMirror } from "../services/mirror";
import { describePush } from "../../git/push-events";

function validSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function field(object: unknown, ...path: string[]): unknown {
  let value = object;
  for (const key of path) value = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

export function webhookRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  return async (app) => {
    // The signature covers the exact bytes: keep the body raw in this plugin only.
    app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    app.post<{ Params: { owner: string; name: string } }>("/github/:owner/:name", async (request, reply) => {
      const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
      const body = request.body as Buffer;
      if (!repo.webhookSecret || !repo.mirrorUrl) throw new SlipwayError("NOT_FOUND", `${repo.fullName} is not a mirrored repository.`);
      if (!validSignature(repo.webhookSecret, body, request.headers["x-hub-signature-256"] as string | undefined)) {
        throw new SlipwayError("UNAUTHENTICATED", "The X-Hub-Signature-256 signature does not match.");
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString("utf8"));
      } catch {
        throw new SlipwayError("REQUEST_INVALID", "The webhook body is not JSON.");
      }
      const event = String(request.headers["x-github-event"] ?? "");
      const repoPath = context.repoPath(repo);
      if (event === "ping") return { ok: true };
      if (event === "push") {
        await fetchMirror(repoPath, repo);
        const ref = String(field(payload, "ref") ?? "");
        const before = String(field(payload, "before") ?? "");
        const after = String(field(payload, "after") ?? "");
        if (!/^refs\/(heads|tags)\//.test(ref) || !/^[0-9a-f]{40}$/.test(before) || !/^[0-9a-f]{40}$/.test(after)) {
          throw new SlipwayError("REQUEST_INVALID", "A push delivery needs ref, before and after.");
        }
        const pusher = String(field(payload, "pusher", "name") ?? "github");
        const details = await describePush(repoPath, { ref, before, after }, repo.defaultBranch);
        const push = await store.repos.recordPush({ repoId: repo.id, ref, before, after, pusher, forced: details.forced, commits: details.commits, changedPaths: details.changedPaths });
        await context.pushes.process(repo, push);
        return reply.status(202).send({ accepted: "push", pushId: push.id });
      }
      if (event === "pull_request") {
        await fetchMirror(repoPath, repo);
        const action = String(field(payload, "action") ?? "");
        const number = Number(field(payload, "number") ?? field(payload, "pull_request", "number") ?? 0);
        const headSha = String(field(payload, "pull_request", "head", "sha") ?? "");
        const baseRef = String(field(payload, "pull_request", "base", "ref") ?? "");
        const headRef = String(field(payload, "pull_request", "head", "ref") ?? "");
        const baseSha = String(field(payload, "pull_request", "base", "sha") ?? "");
        if (!/^[0-9a-f]{40}$/.test(headSha) || !baseRef) throw new SlipwayError("REQUEST_INVALID", "A pull_request delivery needs pull_request.head.sha and base.ref.");
        const runs = await context.dispatcher.dispatch(repo, {
          name: "pull_request",
          ref: `refs/pull/${number}/merge`,
          sha: headSha,
          action,
          baseRef,
          headRef,
          changedPaths: /^[0-9a-f]{40}$/.test(baseSha) ? await changedPaths(repoPath, baseSha, headSha).catch(() => undefined) : undefined,
          actor: String(field(payload, "sender", "login") ?? "github"),
          repository: repo.fullName,
          payload: payload as JsonObject,
        });
        return reply.status(202).send({ accepted: "pull_request", runs: runs.map((r) => r.id) });
      }
      return reply.status(202).send({ ignored: event });
    });
  };
}
