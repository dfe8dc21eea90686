/** `github.event.repository` for events of a hosted repository, shaped like GitHub's payloads. */

import type { JsonObject } from "../../core/json";
import type { RepoRecord } from "../../store";

export function repositoryPayload(repo: RepoRecord): JsonObject {
  return { full_name: repo.fullName, name: repo.name, owner: { login: repo.owner }, default_branch: repo.defaultBranch };
}
