/** OCI image references (`registry:5000/team/web:v1.2.3@sha256:…`) split into repository, tag and digest. */

export interface ImageReference {
  /** Everything before the tag or digest, registry included: `registry.local:5000/shop/web`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageReference(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  // A colon before the last slash is a registry port, not a tag.
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parsed: ImageReference = { repository: rest };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

export function formatImageReference(reference: ImageReference): string {
  const tag = reference.tag === undefined ? "" : `:${reference.tag}`;
  const digest = reference.digest === undefined ? "" : `@${reference.digest}`;
  return `${reference.repository}${tag}${digest}`;
}

/** The registry host of a repository (`localhost:5000`, `ghcr.io`), or undefined for a bare `shop/web`. */
export function registryHost(repository: string): string | undefined {
  const slash = repository.indexOf("/");
  if (slash < 0) return undefined;
  const first = repository.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}

/** The repository path without its registry host: `shop/web`. */
export function repositoryPath(repository: string): string {
  const host = registryHost(repository);
  return host === undefined ? repository : repository.slice(host.length + 1);
}

/**
 * Whether an image (any tag or digest) is the named repository: the same path, and the same registry when both
 * name one (`shop/web` matches `registry.local:5000/shop/web:v1`; `a.io/shop/web` does not match `b.io/shop/web`).
 */
export function imageMatchesName(image: string, name: string): boolean {
  const repository = parseImageReference(image).repository;
  const wanted = parseImageReference(name).repository;
  if (repository === wanted) return true;
  const hosts = [registryHost(repository), registryHost(wanted)];
  if (hosts[0] !== undefined && hosts[1] !== undefined) return false;
  return repositoryPath(repository) === repositoryPath(wanted);
}
