/** The embedded OCI registry as a Fastify plugin under `/v2/` (OCI distribution spec, Docker token flow). */

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Readable } from "node:stream";
import { isOciError, OciError } from "../oci-error";
import { handleBlob } from "./blob-endpoints";
import { handleManifest, handleTagList } from "./manifest-endpoints";
import { basicPassword, bearerChallenge, bearerToken, RegistryTokenIssuer, type RegistryAction } from "./registry-auth";
import type { RegistryOptions, RegistryRequestContext } from "./registry-context";
import { isValidRepositoryName, parseRegistryPath, type RegistryRoute } from "./registry-route";
import { handleUpload } from "./upload-endpoints";

export type { RegistryOptions } from "./registry-context";
export type { RegistryAuth, RegistryAction, RegistryIdentity } from "./registry-auth";

const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

function actionFor(method: string): RegistryAction {
  if (method === "GET" || method === "HEAD") return "pull";
  return method === "DELETE" ? "delete" : "push";
}

function routeName(route: RegistryRoute): string | undefined {
  return "name" in route ? route.name : undefined;
}

export async function registryPlugin(fastify: FastifyInstance, options: RegistryOptions): Promise<void> {
  const issuer = new RegistryTokenIssuer(options.tokenSecret, options.tokenTtlSeconds);
  const service = options.service ?? "slipway";
  const maxUploadBytes = options.maxUploadBytes ?? 10 * 2 ** 30;

  // Bodies stay streams: blobs are never buffered, manifests are read (size-capped) by their handler.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", (_request: FastifyRequest, payload: Readable, done: (error: Error | null, body?: unknown) => void) => done(null, payload));

  const realmOf = (request: FastifyRequest): string => options.realm ?? `${request.protocol}://${request.headers.host ?? "127.0.0.1"}/v2/token`;

  /** undefined: anonymous; null: credentials were sent but are wrong. */
  const identify = async (header: string | undefined): Promise<string | undefined | null> => {
    if (!header) return undefined;
    const bearer = bearerToken(header);
    if (bearer && issuer.isOurs(bearer)) {
      const user = issuer.verify(bearer);
      return user === undefined ? null : user || undefined;
    }
    return (await options.auth.authenticate(header))?.user ?? null;
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = new URL(request.url, "http://registry.invalid");
    const route = parseRegistryPath(url.pathname);
    reply.header("Docker-Distribution-API-Version", "registry/2.0");
    const challenge = (scope?: { repository: string; actions: RegistryAction[] }): void => {
      reply.header("WWW-Authenticate", bearerChallenge(realmOf(request), service, scope));
    };
    try {
      if (route.kind === "token") return await issueToken(request, reply, url.searchParams);
      const user = await identify(request.headers.authorization);
      const name = routeName(route);
      if (route.kind === "base" || route.kind === "catalog" || route.kind === "unknown" || name === undefined) {
        if (!user) {
          challenge();
          throw new OciError("UNAUTHORIZED", user === null ? "invalid credentials" : "authentication required");
        }
        if (route.kind === "base") return await reply.code(200).header("Content-Type", "application/json").send("{}");
        if (route.kind === "catalog") return await listCatalog(reply, user, url.searchParams);
        throw new OciError("UNSUPPORTED", `no such endpoint: ${request.method} ${url.pathname}`, { status: 404 });
      }
      if (!isValidRepositoryName(name)) throw new OciError("NAME_INVALID", `invalid repository name: ${name}`, { detail: { name } });
      const action = actionFor(request.method);
      const allowed = user === null ? false : user === undefined ? action === "pull" && (await options.auth.isPublic(name)) : await options.auth.authorize(user, name, action);
      if (!allowed) {
        if (user) throw new OciError("DENIED", `${user} may not ${action} ${name}`);
        challenge({ repository: name, actions: action === "pull" ? ["pull"] : ["pull", action] });
        throw new OciError("UNAUTHORIZED", user === null ? "invalid credentials" : "authentication required", { detail: [{ Type: "repository", Name: name, Action: action }] });
      }
      const context: RegistryRequestContext = {
        request,
        reply,
        store: options.store,
        query: url.searchParams,
        maxUploadBytes,
        user: user ?? undefined,
        body: () => (request.body instanceof Readable ? request.body : request.raw),
      };
      const canMountFrom = async (from: string): Promise<boolean> =>
        isValidRepositoryName(from) && (user ? await options.auth.authorize(user, from, "pull") : await options.auth.isPublic(from));
      switch (route.kind) {
        case "manifest":
          return await handleManifest(context, name, route.reference);
        case "blob":
          return await handleBlob(context, name, route.digest);
        case "upload":
          return await handleUpload(context, name, route.uploadId, canMountFrom);
        case "tags":
          return await handleTagList(context, name);
      }
    } catch (error) {
      const failure = isOciError(error) ? error : undefined;
      if (!failure) request.log.error({ err: error }, "registry request failed");
      const status = failure?.status ?? 500;
      const body = failure ? failure.toBody() : { errors: [{ code: "UNKNOWN", message: error instanceof Error ? error.message : String(error) }] };
      if (status === 413 || status >= 500 || request.method === "HEAD") reply.header("Connection", "close");
      await reply.code(status).header("Content-Type", "application/json").send(request.method === "HEAD" ? undefined : JSON.stringify(body));
    }
  };

  async function issueToken(request: FastifyRequest, reply: FastifyReply, query: URLSearchParams): Promise<void> {
    const header = request.headers.authorization;
    let user = "";
    if (header) {
      const password = basicPassword(header);
      const identity = password === undefined ? undefined : await options.auth.authenticate(header);
      if (!identity) {
        reply.header("WWW-Authenticate", `Basic realm="${service}"`);
        throw new OciError("UNAUTHORIZED", "invalid credentials");
      }
      user = identity.user;
    }
    void query;
    const token = issuer.issue(user);
    await reply.code(200).header("Content-Type", "application/json").send(JSON.stringify({ token, access_token: token, expires_in: issuer.ttlSeconds, issued_at: new Date().toISOString() }));
  }

  async function listCatalog(reply: FastifyReply, user: string, query: URLSearchParams): Promise<void> {
    const visible: string[] = [];
    for (const name of await options.store.repositories.list()) if (await options.auth.authorize(user, name, "pull")) visible.push(name);
    const last = query.get("last");
    const n = query.get("n") ? Number(query.get("n")) : undefined;
    const after = last ? visible.filter((name) => name > last) : visible;
    await reply.code(200).header("Content-Type", "application/json").send(JSON.stringify({ repositories: n === undefined ? after : after.slice(0, n) }));
  }

  for (const url of ["/v2", "/v2/*"]) fastify.route({ method: [...methods], url, exposeHeadRoute: false, handler: handle });
}
