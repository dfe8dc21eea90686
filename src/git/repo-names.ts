/** Names of hosted repositories: `owner/name`, safe as a path segment and in a URL. */

import { SlipwayError } from "../core/errors";

const segment = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface RepoName {
  owner: string;
  name: string;
}

export function parseRepoName(full: string): RepoName {
  const parts = full.replace(/\.git$/, "").split("/");
  const [owner, name] = parts;
  if (parts.length !== 2 || !owner || !name || !segment.test(owner) || !segment.test(name) || name.endsWith(".") || owner.endsWith(".")) {
    throw new SlipwayError(
      "CONFIG_INVALID",
      `'${full}' is not a repository name: use owner/name with letters, digits, '.', '_' and '-' (at most 100 each, not starting with a symbol).`,
    );
  }
  return { owner, name };
}

export function fullName(repo: RepoName): string {
  return `${repo.owner}/${repo.name}`;
}
