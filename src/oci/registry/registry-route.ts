/** Splits a `/v2/...` path into the distribution API endpoint it names (repository names may contain slashes). */

export type RegistryRoute =
  | { kind: "base" }
  | { kind: "token" }
  | { kind: "catalog" }
  | { kind: "manifest"; name: string; reference: string }
  | { kind: "blob"; name: string; digest: string }
  | { kind: "upload"; name: string; uploadId?: string }
  | { kind: "tags"; name: string }
  | { kind: "unknown" };

const namePattern = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

/** The distribution spec's repository name grammar. */
export function isValidRepositoryName(name: string): boolean {
  return name.length <= 255 && namePattern.test(name);
}

export function parseRegistryPath(pathname: string): RegistryRoute {
  const rest = pathname.replace(/^\/v2\/?/, "");
  if (rest === "") return { kind: "base" };
  if (rest === "token") return { kind: "token" };
  if (rest === "_catalog") return { kind: "catalog" };
  let match = /^(.+)\/manifests\/([^/]+)$/.exec(rest);
  if (match) return { kind: "manifest", name: match[1] as string, reference: decodeURIComponent(match[2] as string) };
  match = /^(.+)\/blobs\/uploads\/?([^/]*)$/.exec(rest);
  if (match) return { kind: "upload", name: match[1] as string, uploadId: match[2] || undefined };
  match = /^(.+)\/blobs\/([^/]+)$/.exec(rest);
  if (match) return { kind: "blob", name: match[1] as string, digest: decodeURIComponent(match[2] as string) };
  match = /^(.+)\/tags\/list$/.exec(rest);
  if (match) return { kind: "tags", name: match[1] as string };
  return { kind: "unknown" };
}
