/** Release tags of an image (`vX.Y.Z`, `sha-<7>`) and the rule that protected environments never get `latest`. */

import semver from "semver";

export class TagNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TagNotAllowedError";
  }
}

/** The tags a release pushes: `v<version>` and `sha-<first 7 of the commit>`. */
export function releaseTags(version: string, commitSha: string): string[] {
  const clean = semver.valid(semver.clean(version) ?? version);
  if (!clean) throw new TagNotAllowedError(`not a semantic version: ${version}`);
  if (!/^[0-9a-f]{7,40}$/i.test(commitSha)) throw new TagNotAllowedError(`not a commit SHA: ${commitSha}`);
  return [`v${clean}`, `sha-${commitSha.slice(0, 7).toLowerCase()}`];
}

/** Called by push and promote: a protected environment (production) must reference an immutable tag. */
export function assertTagAllowed(tag: string, options: { protectedEnvironment: boolean }): void {
  if (!/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/.test(tag)) throw new TagNotAllowedError(`invalid image tag: ${tag}`);
  if (options.protectedEnvironment && tag === "latest") {
    throw new TagNotAllowedError("the tag `latest` is refused for a protected environment: use vX.Y.Z or sha-<commit>");
  }
}
