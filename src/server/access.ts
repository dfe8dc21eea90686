/** Who may do what: tokens to users, and per-repository roles (admin > maintainer > developer > viewer). */

import type { FastifyRequest } from "fastify";
import { SlipwayError } from "../core/errors";
import type { RepoRecord, RepoRole, Store, UserRecord } from "../store";

const rank: Record<RepoRole, number> = { viewer: 1, developer: 2, maintainer: 3, admin: 4 };

/** The token from `Authorization: Bearer T` or `Basic base64(any:T)`; undefined when there is none. */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(" ", 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === "bearer") return value.trim();
  if (scheme?.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : decoded;
  }
  return undefined;
}

/** Resolves the caller; a token that is present but wrong is an error, never anonymous access. */
export async function authenticate(store: Store, request: FastifyRequest): Promise<UserRecord | undefined> {
  const token = tokenFromHeader(request.headers.authorization);
  if (token === undefined) return undefined;
  const user = await store.accounts.authenticate(token);
  if (!user) throw new SlipwayError("UNAUTHENTICATED", "The token is not valid.");
  return user;
}

export function requireUser(user: UserRecord | undefined): UserRecord {
  if (!user) throw new SlipwayError("UNAUTHENTICATED", "Authentication required.");
  return user;
}

export function requireAdmin(user: UserRecord | undefined): UserRecord {
  const found = requireUser(user);
  if (!found.isAdmin) throw new SlipwayError("FORBIDDEN", "Only a site administrator can do this.");
  return found;
}

/** Checks the caller's role on a repo; a private repo the caller cannot see is reported as not found. */
export async function requireRepoRole(store: Store, repo: RepoRecord, user: UserRecord | undefined, needed: RepoRole): Promise<void> {
  if (needed === "viewer" && repo.isPublic) return;
  if (!user) throw new SlipwayError("UNAUTHENTICATED", "Authentication required.");
  if (user.isAdmin) return;
  const role = await store.repos.roleOf(repo.id, user.id);
  if (!role) throw new SlipwayError("NOT_FOUND", `Repository ${repo.fullName} not found.`);
  if (rank[role] < rank[needed]) throw new SlipwayError("FORBIDDEN", `This needs the ${needed} role on ${repo.fullName}; you are ${role}.`);
}

export async function findRepoOrThrow(store: Store, owner: string, name: string): Promise<RepoRecord> {
  const repo = await store.repos.findRepo(owner, name.replace(/\.git$/, ""));
  if (!repo) throw new SlipwayError("NOT_FOUND", `Repository ${owner}/${name} not found.`);
  return repo;
}
