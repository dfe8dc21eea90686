/**
 * The embedded OCI registry's access rules on slipway accounts: an image repository `owner/name[/…]`
 * belongs to the hosted repository `owner/name` (pull: viewer or public; push: developer; delete: admin).
 * Images with no hosted repository of that name may be pushed and pulled by the owner (`owner` = user) and admins.
 */

import type { RegistryAction, RegistryAuth } from "../oci/registry/plugin";
import type { RepoRole, Store } from "../store";
import { tokenFromHeader } from "./access";

const needed: Record<RegistryAction, RepoRole> = { pull: "viewer", push: "developer", delete: "admin" };
const rank: Record<RepoRole, number> = { viewer: 1, developer: 2, maintainer: 3, admin: 4 };

export function registryAccess(store: Store): RegistryAuth {
  const hostedRepo = (repository: string) => {
    const [owner, name] = repository.split("/");
    return owner && name ? store.repos.findRepo(owner, name) : Promise.resolve(undefined);
  };
  return {
    async authenticate(header) {
      const token = tokenFromHeader(header);
      const user = token ? await store.accounts.authenticate(token) : undefined;
      return user ? { user: user.name } : undefined;
    },
    async authorize(userName, repository, action) {
      const repo = await hostedRepo(repository);
      if (action === "pull" && repo?.isPublic) return true;
      if (!userName) return false;
      const user = await store.accounts.findUser(userName);
      if (!user) return false;
      if (user.isAdmin) return true;
      if (!repo) return repository.split("/")[0] === user.name;
      const role = await store.repos.roleOf(repo.id, user.id);
      return role !== undefined && rank[role] >= rank[needed[action]];
    },
    async isPublic(repository) {
      return (await hostedRepo(repository))?.isPublic ?? false;
    },
  };
}
