/** /api/v1 approvals and environment protection: request, list, show, approve, reject, cancel; get and put a repository's environments. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { ApprovalKind, ApprovalRecord, ApprovalState, RepoRecord, UserRecord } from "../../store";
import { findRepoOrThrow, requireRepoRole, requireUser } from "../access";
import type { ServerContext } from "../server-context";
import { parsePromotionPayload, verifyPromotionTag } from "../services/approvals-promotion";
import { assertEnvironmentName } from "../services/approvals-rules";

const states: ApprovalState[] = ["pending", "approved", "rejected", "expired", "cancelled"];
const loose = { type: "object", additionalProperties: true } as const;
const approvalResponse = { type: "object", additionalProperties: true, properties: { id: { type: "integer" }, state: { type: "string" }, progress: loose } } as const;
const environmentResponse = {
  type: "object", additionalProperties: true,
  properties: { repo: { type: "string" }, name: { type: "string" }, protected: { type: "boolean" }, requiredReviewers: { type: "integer" }, waitTimerSeconds: { type: "integer" } },
} as const;
const idParams = { type: "object", required: ["id"], properties: { id: { type: "integer", minimum: 1 } } } as const;
const reviewBody = { type: ["object", "null"], additionalProperties: false, properties: { comment: { type: "string", maxLength: 4000 } } } as const;
const envParams = { type: "object", required: ["owner", "name", "env"], properties: { owner: { type: "string" }, name: { type: "string" }, env: { type: "string" } } } as const;

type ListQuery = { repo?: string; environment?: string; state?: ApprovalState; kind?: ApprovalKind; limit?: number; before?: number };
type CreateBody = { repo: string; environment: string; kind: "promotion"; payload: JsonObject };
type ProtectionBody = { protected?: boolean; requiredReviewers: number; waitTimerSeconds?: number };

export function approvalRoutes(context: ServerContext): FastifyPluginAsync {
  const { store, approvals } = context;

  const repoNamed = async (fullName: string): Promise<RepoRecord> => {
    const [owner, name, ...rest] = fullName.split("/");
    if (!owner || !name || rest.length > 0) throw new SlipwayError("REQUEST_INVALID", `'${fullName}' is not a repository: use owner/name.`);
    return findRepoOrThrow(store, owner, name);
  };
  const canSee = (repo: RepoRecord, user: UserRecord | undefined): Promise<boolean> => requireRepoRole(store, repo, user, "viewer").then(() => true, () => false);
  /** A request the caller may see; one in a repository they cannot see is not found. */
  const visible = async (id: number, user: UserRecord | undefined): Promise<ApprovalRecord> => {
    const approval = await approvals.get(id);
    const repo = await repoNamed(approval.repo).catch(() => undefined);
    if (!repo || !(await canSee(repo, user))) throw new SlipwayError("NOT_FOUND", `There is no approval request ${id}.`);
    return approval;
  };

  return async (app) => {
    app.get<{ Querystring: ListQuery }>(
      "/approvals",
      {
        schema: {
          summary: "Approval requests the caller can see, newest first", tags: ["approvals"],
          querystring: {
            type: "object",
            properties: {
              repo: { type: "string" }, environment: { type: "string" }, state: { type: "string", enum: states }, kind: { type: "string", enum: ["promotion", "job"] },
              limit: { type: "integer", minimum: 1, maximum: 500 }, before: { type: "integer", minimum: 1 },
            },
          },
          response: { 200: { type: "array", items: approvalResponse } },
        },
      },
      async (request) => {
        const { repo, environment, state, kind, limit = 50, before } = request.query;
        if (repo !== undefined && !(await canSee(await repoNamed(repo), request.user))) throw new SlipwayError("NOT_FOUND", `Repository ${repo} not found.`);
        const found = await store.approvals.list({ repo, environment, kind, states: state ? [state] : undefined, beforeId: before, limit: 500 });
        const seen = new Map<string, boolean>();
        const shown: ApprovalRecord[] = [];
        for (const approval of found) {
          if (!seen.has(approval.repo)) seen.set(approval.repo, await repoNamed(approval.repo).then((r) => canSee(r, request.user), () => false));
          if (seen.get(approval.repo)) shown.push(approval);
          if (shown.length >= limit) break;
        }
        return shown.map((approval) => approvals.view(approval));
      },
    );

    app.post<{ Body: CreateBody }>(
      "/approvals",
      {
        schema: {
          summary: "Request approval for a promotion to a protected environment (performed by the server once approved)", tags: ["approvals"],
          body: {
            type: "object", required: ["repo", "environment", "kind", "payload"], additionalProperties: false,
            properties: { repo: { type: "string" }, environment: { type: "string" }, kind: { type: "string", enum: ["promotion"] }, payload: loose },
          },
          response: { 201: approvalResponse },
        },
      },
      async (request, reply) => {
        const user = requireUser(request.user);
        const repo = await repoNamed(request.body.repo);
        await requireRepoRole(store, repo, user, "developer");
        assertEnvironmentName(request.body.environment);
        const payload = parsePromotionPayload(request.body.payload);
        // Fail now on a missing image rather than after the reviewers approved it.
        await verifyPromotionTag(context, payload, request.body.environment, user.name);
        // An unprotected environment gets a request approved at once: the server promotes now, and it is on record.
        const approval = (await approvals.gatePromotion(repo, request.body.environment, user, payload)) ?? (await approvals.request({
          repo: repo.fullName, environment: request.body.environment, kind: "promotion", requester: user.name, requiredReviewers: 0, waitTimerSeconds: 0, payload: { ...payload },
        }));
        return reply.status(201).send(approvals.view(approval));
      },
    );

    app.get<{ Params: { id: number } }>("/approvals/:id", { schema: { summary: "One approval request with its reviews and progress", tags: ["approvals"], params: idParams, response: { 200: approvalResponse } } }, async (request) =>
      approvals.view(await visible(request.params.id, request.user)),
    );

    for (const decision of ["approve", "reject"] as const) {
      app.post<{ Params: { id: number }; Body: { comment?: string } | null }>(
        `/approvals/:id/${decision}`,
        { schema: { summary: `${decision === "approve" ? "Approve" : "Reject"} a pending request (write access; not its requester)`, tags: ["approvals"], params: idParams, body: reviewBody, response: { 200: approvalResponse } } },
        async (request) => {
          const user = requireUser(request.user);
          await visible(request.params.id, user);
          const reviewed = await approvals.review(request.params.id, user, decision === "approve" ? "approved" : "rejected", request.body?.comment ?? "");
          return approvals.view(reviewed);
        },
      );
    }

    app.post<{ Params: { id: number } }>(
      "/approvals/:id/cancel",
      { schema: { summary: "Withdraw a request (its requester, or a maintainer of the repository)", tags: ["approvals"], params: idParams, response: { 200: approvalResponse } } },
      async (request) => {
        const user = requireUser(request.user);
        const approval = await visible(request.params.id, user);
        if (approval.requester !== user.name) await requireRepoRole(store, await repoNamed(approval.repo), user, "maintainer");
        if (!(await approvals.cancel(approval.id, `cancelled by ${user.name}`, user.name))) {
          throw new SlipwayError("CONFLICT", `Approval request ${approval.id} is ${approval.state}${approval.execution ? ` (${approval.execution})` : ""}: it can no longer be cancelled.`);
        }
        return approvals.view(await approvals.get(approval.id));
      },
    );

    app.get<{ Params: { owner: string; name: string } }>(
      "/repos/:owner/:name/environments",
      { schema: { summary: "The repository's environments and their protection rules", tags: ["approvals"], response: { 200: { type: "array", items: environmentResponse } } } },
      async (request) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "viewer");
        return store.approvals.listEnvironments(repo.fullName);
      },
    );

    app.get<{ Params: { owner: string; name: string; env: string } }>(
      "/repos/:owner/:name/environments/:env",
      { schema: { summary: "One environment's protection (an environment never configured is unprotected)", tags: ["approvals"], params: envParams, response: { 200: environmentResponse } } },
      async (request) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "viewer");
        assertEnvironmentName(request.params.env);
        return approvals.environment(repo.fullName, request.params.env);
      },
    );

    app.put<{ Params: { owner: string; name: string; env: string }; Body: ProtectionBody }>(
      "/repos/:owner/:name/environments/:env",
      {
        schema: {
          summary: "Set an environment's protection: required reviewers and wait timer (repository admin)", tags: ["approvals"], params: envParams,
          body: {
            type: "object", required: ["requiredReviewers"], additionalProperties: false,
            properties: { protected: { type: "boolean" }, requiredReviewers: { type: "integer" }, waitTimerSeconds: { type: "integer" } },
          },
          response: { 200: environmentResponse },
        },
      },
      async (request) => {
        const user = requireUser(request.user);
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, user, "admin");
        assertEnvironmentName(request.params.env);
        const { requiredReviewers, waitTimerSeconds = 0 } = request.body;
        return approvals.protect(repo, request.params.env, { protected: request.body.protected ?? true, requiredReviewers, waitTimerSeconds }, user);
      },
    );
  };
}
