/** The HTTP server: one Fastify instance, a plugin per domain under /api/v1, git under /git. */

import Fastify, { type FastifyInstance, type FastifyError } from "fastify";
import { isSlipwayError } from "../core/errors";
import type { UserRecord } from "../store";
import { authenticate } from "./access";
import { appRoutes } from "./routes/apps";
import { gitRoutes } from "./routes/git";
import { pullRoutes } from "./routes/pulls";
import { repoRoutes } from "./routes/repos";
import { runRoutes } from "./routes/runs";
import { userRoutes } from "./routes/users";
import { webhookRoutes } from "./routes/webhooks";
import { join } from "node:path";
import { OciStore } from "../oci/oci-store";
import { registryPlugin } from "../oci/registry/plugin";
import { registryAccess } from "./registry-access";
import type { ServerContext } from "./server-context";

declare module "fastify" {
  interface FastifyRequest {
    user?: UserRecord;
  }
}

export async function buildApp(context: ServerContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024, forceCloseConnections: true });
  app.decorateRequest("user", undefined);
  app.addHook("onRequest", async (request) => {
    // The registry authenticates its own requests (slipway tokens and its short-lived bearer tokens).
    if (request.url.startsWith("/v2/") || request.url === "/v2") return;
    request.user = await authenticate(context.store, request);
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (isSlipwayError(error)) {
      if (error.status === 401) reply.header("www-authenticate", 'Basic realm="slipway"');
      return reply.status(error.status).send({ error: error.toJSON() });
    }
    if (error.validation) return reply.status(400).send({ error: { code: "REQUEST_INVALID", message: error.message } });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) context.log(`internal error: ${error.stack ?? error.message}`);
    return reply.status(status).send({ error: { code: status === 500 ? "INTERNAL" : "REQUEST_INVALID", message: error.message } });
  });
  app.get("/healthz", async () => ({ ok: true }));
  await app.register(userRoutes(context), { prefix: "/api/v1" });
  await app.register(repoRoutes(context), { prefix: "/api/v1" });
  await app.register(runRoutes(context), { prefix: "/api/v1" });
  await app.register(pullRoutes(context), { prefix: "/api/v1" });
  await app.register(appRoutes(context), { prefix: "/api/v1" });
  await app.register(gitRoutes(context), { prefix: "/git" });
  await app.register(webhookRoutes(context), { prefix: "/hooks" });
  await app.register(registryPlugin, { store: await OciStore.open(join(context.dataDir, "oci")), auth: registryAccess(context.store) });
  return app;
}
