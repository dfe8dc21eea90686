/** The HTTP server: one Fastify instance, a plugin per domain under /api/v1, git under /git. */

import Fastify, { type FastifyInstance, type FastifyError } from "fastify";
import { isSlipwayError } from "../core/errors";
import type { UserRecord } from "../store";
import { authenticate } from "./access";
import { appRoutes } from "./routes/apps";
import { workloadLogRoutes } from "./routes/workload-logs";
import { approvalRoutes } from "./routes/approvals";
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
import { installOpenApi } from "./routes/openapi";
import { branchRoutes } from "./routes/branches";
import { releaseRoutes } from "./routes/releases";
import { imageRoutes } from "./routes/images";
import { environmentRoutes } from "./routes/environments";
import { eventRoutes } from "./routes/events";
import { eventStreamRoutes } from "./routes/events-stream";
import { serveWeb } from "./static-web";
import { notificationRoutes } from "./routes/notifications";
import { doraRoutes, prometheusRoute } from "./routes/metrics";
import { environmentScheduleRoutes } from "./routes/environment-schedules";

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
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isSlipwayError(error)) {
      // Scripted callers (the dashboard sends X-Requested-With) get no challenge: a browser would open a login prompt.
      if (error.status === 401 && request.headers["x-requested-with"] === undefined) reply.header("www-authenticate", 'Basic realm="slipway"');
      return reply.status(error.status).send({ error: error.toJSON() });
    }
    if (error.validation) return reply.status(400).send({ error: { code: "REQUEST_INVALID", message: error.message } });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) context.log(`internal error: ${error.stack ?? error.message}`);
    return reply.status(status).send({ error: { code: status === 500 ? "INTERNAL" : "REQUEST_INVALID", message: error.message } });
  });
  app.get("/healthz", async () => ({ ok: true }));
  // Before any route: every /api/v1 route registered from here on is documented in /api/v1/openapi.json.
  await installOpenApi(app);
  const oci = await OciStore.open(join(context.dataDir, "oci"));
  const registryAuth = registryAccess(context.store);
  await app.register(userRoutes(context), { prefix: "/api/v1" });
  await app.register(repoRoutes(context), { prefix: "/api/v1" });
  await app.register(runRoutes(context), { prefix: "/api/v1" });
  await app.register(pullRoutes(context), { prefix: "/api/v1" });
  await app.register(appRoutes(context), { prefix: "/api/v1" });
  await app.register(workloadLogRoutes(context), { prefix: "/api/v1" });
  await app.register(approvalRoutes(context), { prefix: "/api/v1" });
  await app.register(gitRoutes(context), { prefix: "/git" });
  await app.register(webhookRoutes(context), { prefix: "/hooks" });
  await app.register(branchRoutes(context), { prefix: "/api/v1" });
  await app.register(releaseRoutes(context), { prefix: "/api/v1" });
  await app.register(imageRoutes(context, oci, registryAuth), { prefix: "/api/v1" });
  await app.register(environmentRoutes(context), { prefix: "/api/v1" });
  await app.register(eventRoutes(context), { prefix: "/api/v1" });
  await app.register(eventStreamRoutes(context), { prefix: "/api/v1" });
  await app.register(notificationRoutes(context), { prefix: "/api/v1" });
  await app.register(doraRoutes(context), { prefix: "/api/v1" });
  await app.register(environmentScheduleRoutes(context), { prefix: "/api/v1" });
  await app.register(prometheusRoute(context));
  await app.register(registryPlugin, { store: oci, auth: registryAuth });
  await serveWeb(app);
  return app;
}
