/** /api/v1/images: image repositories of the embedded OCI registry the caller may pull, and their tags. */

import type { FastifyPluginAsync } from "fastify";
import semver from "semver";
import { SlipwayError } from "../../core/errors";
import type { OciStore } from "../../oci/oci-store";
import type { RegistryAuth } from "../../oci/registry/plugin";
import type { ServerContext } from "../server-context";
import { arrayOf, imageSchema, imageTagSchema, objectSchema } from "./openapi-schemas";

export interface ImageTagView {
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
}

/** Release tags (semver) newest first, then the rest (sha-…, latest) in lexical order. */
export function orderTags(tags: string[]): string[] {
  const versions = tags.filter((tag) => semver.valid(tag.replace(/^v/, "")) !== null);
  const others = tags.filter((tag) => !versions.includes(tag)).sort();
  return [...versions.sort((a, b) => semver.rcompare(a.replace(/^v/, ""), b.replace(/^v/, ""))), ...others];
}

export function imageRoutes(context: ServerContext, oci: OciStore, access: RegistryAuth): FastifyPluginAsync {
  const pullable = (name: string, user: string | undefined) => access.authorize(user, name, "pull");
  /** The hosted repository an image belongs to: its first two path segments, when such a repo exists. */
  const hostedRepo = async (name: string): Promise<string | null> => {
    const [owner, repo] = name.split("/");
    return owner && repo && (await context.store.repos.findRepo(owner, repo)) ? `${owner}/${repo}` : null;
  };

  return async (app) => {
    app.get<{ Querystring: { repo?: string } }>(
      "/images",
      {
        schema: {
          summary: "Image repositories in the embedded registry (one hosted repository's with ?repo=owner/name)",
          tags: ["images"],
          querystring: { type: "object", additionalProperties: false, properties: { repo: { type: "string" } } },
          response: { 200: arrayOf(imageSchema) },
        },
      },
      async (request) => {
        const shown = [];
        for (const name of await oci.repositories.list()) {
          if (request.query.repo && name !== request.query.repo && !name.startsWith(`${request.query.repo}/`)) continue;
          if (!(await pullable(name, request.user?.name))) continue;
          const tags = orderTags(await oci.repositories.tags(name));
          shown.push({ name, repo: await hostedRepo(name), tags: tags.length, latestTag: tags[0] ?? null });
        }
        return shown;
      },
    );

    // Image names hold slashes (`acme/shop/web`): the name is the whole rest of the path.
    app.get<{ Params: { "*": string } }>(
      "/images/*",
      {
        schema: {
          summary: "One image repository with its tags, release versions first",
          tags: ["images"],
          params: { type: "object", required: ["*"], properties: { "*": { type: "string", minLength: 1 } } },
          response: { 200: objectSchema({ name: { type: "string" }, repo: { type: ["string", "null"] }, tags: arrayOf(imageTagSchema) }) },
        },
      },
      async (request) => {
        const name = request.params["*"].replace(/\/+$/, "");
        const known = await oci.repositories.exists(name).catch(() => false);
        if (!known || !(await pullable(name, request.user?.name))) throw new SlipwayError("NOT_FOUND", `There is no image repository named ${name}.`);
        const tags: ImageTagView[] = [];
        for (const tag of orderTags(await oci.repositories.tags(name))) {
          const link = await oci.resolve(name, tag);
          if (link) tags.push({ tag, digest: link.digest, mediaType: link.mediaType, size: link.size });
        }
        return { name, repo: await hostedRepo(name), tags };
      },
    );
  };
}
