/** /api/v1/user, /users, /users/:name/tokens: who am I, user management, personal access tokens. */

import type { FastifyPluginAsync } from "fastify";
import { SlipwayError } from "../../core/errors";
import { requireAdmin, requireUser } from "../access";
import type { ServerContext } from "../server-context";

export function userRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  return async (app) => {
    app.get("/user", async (request) => requireUser(request.user));

    app.get("/users", async (request) => {
      requireUser(request.user);
      return store.accounts.listUsers();
    });

    app.post<{ Body: { name: string; admin?: boolean } }>(
      "/users",
      { schema: { body: { type: "object", required: ["name"], additionalProperties: false, properties: { name: { type: "string" }, admin: { type: "boolean" } } } } },
      async (request, reply) => {
        requireAdmin(request.user);
        const user = await store.accounts.createUser(request.body.name, { isAdmin: request.body.admin });
        return reply.status(201).send(user);
      },
    );

    app.post<{ Params: { name: string }; Body: { name?: string } }>(
      "/users/:name/tokens",
      { schema: { body: { type: "object", additionalProperties: false, properties: { name: { type: "string" } } } } },
      async (request, reply) => {
        const caller = requireUser(request.user);
        const target = await store.accounts.findUser(request.params.name);
        if (!target) throw new SlipwayError("NOT_FOUND", `No user named '${request.params.name}'.`);
        if (!caller.isAdmin && caller.id !== target.id) throw new SlipwayError("FORBIDDEN", "You can only create tokens for yourself.");
        const issued = await store.accounts.issueToken(target.id, request.body?.name ?? "cli");
        return reply.status(201).send({ id: issued.id, token: issued.token, user: issued.user });
      },
    );
  };
}
