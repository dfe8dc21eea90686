/** /api/v1/repos: create, list, show, update, delete hosted repositories; members; pushes; checks; dispatch. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { createBareRepo, deleteBareRepo, installReceiveHooks } from "../../git/bare-repos";
import { resolveCommit } from "../../git/local-repo";
import { parseRepoName } from "../../git/repo-names";
import type { RepoRecord, RepoRole } from "../../store";
import { findRepoOrThrow, requireRepoRole, requireUser } from "../access";
import type { ServerContext } from "../server-context";
import { dispatchWorkflow } from "../services/dispatch";
import { fetchMirror } from "../services/mirror";

type RepoParams = { owner: string; name: string };

const roles: RepoRole[] = ["admin", "maintainer", "developer", "viewer"];

export function repoRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  const present = (repo: RepoRecord) => ({
    id: repo.id,
    name: repo.fullName,
    owner: repo.owner,
    repo: repo.name,
    public: repo.isPublic,
    mirrorUrl: repo.mirrorUrl,
    defaultBranch: repo.defaultBranch,
    branchPatterns: repo.branchPatterns,
    cloneUrl: `${context.publicUrl()}/git/${repo.fullName}.git`,
    createdAt: repo.createdAt,
  });

  return async (app) => {
    app.get("/repos", async (request) => {
      const user = request.user;
      const all = await store.repos.listRepos();
      const visible: RepoRecord[] = [];
      for (const repo of all) {
        if (repo.isPublic || user?.isAdmin || (user && (await store.repos.roleOf(repo.id, user.id)))) visible.push(repo);
      }
      return visible.map(present);
    });

    app.post<{ Body: { name: string; public?: boolean; defaultBranch?: string; branchPatterns?: string[]; mirrorUrl?: string; webhookSecret?: string } }>(
      "/repos",
      {
        schema: {
          body: {
            type: "object",
            required: ["name"],
            additionalProperties: false,
            properties: {
              name: { type: "string" },
              public: { type: "boolean" },
              defaultBranch: { type: "string" },
              branchPatterns: { type: "array", items: { type: "string" } },
              mirrorUrl: { type: "string", minLength: 1 },
              webhookSecret: { type: "string", minLength: 16 },
            },
          },
        },
      },
      async (request, reply) => {
        const user = requireUser(request.user);
        const { owner, name } = parseRepoName(request.body.name.includes("/") ? request.body.name : `${user.name}/${request.body.name}`);
        if (owner !== user.name && !user.isAdmin) throw new SlipwayError("FORBIDDEN", `You can create repositories under '${user.name}/' only.`);
        const defaultBranch = request.body.defaultBranch ?? "main";
        if (!/^[A-Za-z0-9._/-]{1,100}$/.test(defaultBranch) || defaultBranch.includes("..")) throw new SlipwayError("REQUEST_INVALID", `'${defaultBranch}' is not a branch name.`);
        const { mirrorUrl, webhookSecret } = request.body;
        if ((mirrorUrl === undefined) !== (webhookSecret === undefined)) throw new SlipwayError("REQUEST_INVALID", "A mirrored repository needs both mirrorUrl and webhookSecret.");
        const repo = await store.repos.createRepo({ owner, name, isPublic: request.body.public, defaultBranch, branchPatterns: request.body.branchPatterns, mirrorUrl, webhookSecret, createdBy: user.id });
        try {
          await createBareRepo(context.repoPath(repo), { defaultBranch, branchPatterns: repo.branchPatterns });
          await fetchMirror(context.repoPath(repo), repo);
        } catch (error) {
          await store.repos.deleteRepo(repo.id);
          throw error;
        }
        return reply.status(201).send(present(repo));
      },
    );

    app.get<{ Params: RepoParams }>("/repos/:owner/:name", async (request) => {
      const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
      await requireRepoRole(store, repo, request.user, "viewer");
      return present(repo);
    });

    app.patch<{ Params: RepoParams; Body: { public?: boolean; branchPatterns?: string[] } }>(
      "/repos/:owner/:name",
      { schema: { body: { type: "object", additionalProperties: false, properties: { public: { type: "boolean" }, branchPatterns: { type: "array", items: { type: "string" } } } } } },
      async (request) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "admin");
        const updated = await store.repos.updateRepo(repo.id, { isPublic: request.body.public, branchPatterns: request.body.branchPatterns });
        if (request.body.branchPatterns) await installReceiveHooks(context.repoPath(updated), updated.branchPatterns);
        return present(updated);
      },
    );

    app.delete<{ Params: RepoParams }>("/repos/:owner/:name", async (request, reply) => {
      const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
      await requireRepoRole(store, repo, request.user, "admin");
      await context.dispatcher.cancelRepoRuns(repo.id);
      await store.repos.deleteRepo(repo.id);
      await deleteBareRepo(context.repoPath(repo));
      await context.scheduler.reload(repo.id);
      return reply.status(204).send();
    });

    app.put<{ Params: RepoParams & { user: string }; Body: { role: RepoRole } }>(
      "/repos/:owner/:name/members/:user",
      { schema: { body: { type: "object", required: ["role"], additionalProperties: false, properties: { role: { type: "string", enum: roles } } } } },
      async (request) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "admin");
        const member = await store.accounts.findUser(request.params.user);
        if (!member) throw new SlipwayError("NOT_FOUND", `No user named '${request.params.user}'.`);
        await store.repos.setRole(repo.id, member.id, request.body.role);
        return { repo: repo.fullName, user: member.name, role: request.body.role };
      },
    );

    app.get<{ Params: RepoParams }>("/repos/:owner/:name/pushes", async (request) => {
      const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
      await requireRepoRole(store, repo, request.user, "viewer");
      return store.repos.listPushes(repo.id, { limit: 200 });
    });

    app.get<{ Params: RepoParams & { sha: string } }>("/repos/:owner/:name/commits/:sha/checks", async (request) => {
      const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
      await requireRepoRole(store, repo, request.user, "viewer");
      const sha = await resolveCommit(context.repoPath(repo), request.params.sha).catch(() => {
        throw new SlipwayError("NOT_FOUND", `No commit '${request.params.sha}' in ${repo.fullName}.`);
      });
      const checks = await store.checks.listChecks(repo.id, sha);
      const passed = checks.length > 0 && checks.every((c) => c.status === "completed" && (c.conclusion === "success" || c.conclusion === "skipped"));
      return { sha, state: checks.length === 0 ? "none" : passed ? "validations passed" : checks.some((c) => c.conclusion === "failure") ? "failed" : checks.some((c) => c.status !== "completed") ? "pending" : "failed", checks };
    });

    app.post<{ Params: RepoParams; Body: { workflow: string; ref?: string; inputs?: Record<string, string> } }>(
      "/repos/:owner/:name/dispatches",
      {
        schema: {
          body: {
            type: "object",
            required: ["workflow"],
            additionalProperties: false,
            properties: { workflow: { type: "string" }, ref: { type: "string" }, inputs: { type: "object", additionalProperties: { anyOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }] } } },
          },
        },
      },
      async (request, reply) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "developer");
        const runs = await dispatchWorkflow(context, repo, { workflow: request.body.workflow, ref: request.body.ref ?? repo.defaultBranch, inputs: request.body.inputs ?? {}, actor: requireUser(request.user).name });
        return reply.status(201).send({ runs });
      },
    );
  };
}
