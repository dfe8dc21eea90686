/** Promotion's registry check: `v<version>` of the image must exist before any environment points at it. */

import semver from "semver";
import { SlipwayError } from "../core/errors";
import { assertTagAllowed, TagNotAllowedError } from "../oci/builder/image-tags";
import { parseImageReference } from "../oci/client/image-reference";
import { RegistryClient } from "../oci/client/registry-client";
import type { RegistryCredentials } from "../oci/client/registry-session";

export interface PromoteRegistry {
  /** A ready client for the image's registry (wins over credentials). */
  client?: RegistryClient;
  credentials?: RegistryCredentials;
}

/** Environments that never get a mutable tag. */
export const protectedEnvironments = new Set(["staging", "prod", "production"]);

/** `v1.2.0` or `1.2.0` → `1.2.0`; anything that is not a semantic version is refused. */
export function promotionVersion(version: string): string {
  const clean = semver.valid(version.trim().replace(/^v/, ""));
  if (!clean) throw new SlipwayError("REQUEST_INVALID", `not a semantic version: ${version}`, { hint: "Promote a released version such as 1.2.0 (the image tag v1.2.0)." });
  return clean;
}

/** The tag promotion writes, checked against the tag rules for the environment. */
export function promotionTag(version: string, env: string): string {
  const tag = `v${promotionVersion(version)}`;
  try {
    assertTagAllowed(tag, { protectedEnvironment: protectedEnvironments.has(env) });
  } catch (error) {
    if (error instanceof TagNotAllowedError) throw new SlipwayError("REQUEST_INVALID", error.message);
    throw error;
  }
  return tag;
}

/** Throws NOT_FOUND naming `image:tag` when the registry does not have it. */
export async function verifyImageTag(image: string, tag: string, registry: PromoteRegistry = {}): Promise<void> {
  const reference = parseImageReference(`${image}:${tag}`);
  const host = registry.client?.registry ?? reference.registry;
  if (host === undefined) throw new SlipwayError("REQUEST_INVALID", `${image} names no registry host`, { hint: "Give the image as host[:port]/name, e.g. 127.0.0.1:7700/acme/shop/web." });
  const client = registry.client ?? new RegistryClient({ registry: host, credentials: registry.credentials });
  let exists: boolean;
  try {
    exists = await client.tagExists(reference.repository, tag);
  } catch (error) {
    throw new SlipwayError("SERVER_UNREACHABLE", `could not check ${image}:${tag} in ${host}: ${(error as Error).message}`, { hint: "Check the registry address and credentials (--creds USER:TOKEN or SLIPWAY_REGISTRY_TOKEN), or pass --no-verify." });
  }
  if (!exists) {
    throw new SlipwayError("NOT_FOUND", `image ${image}:${tag} does not exist in the registry ${host}`, {
      hint: "Push it first (`slipway image push` or the slipway/push-image step of the release), or check the version.",
    });
  }
}
