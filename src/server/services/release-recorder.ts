/**
 * Release records from pushed release tags: whoever made the release (`slipway release`, the `slipway/release`
 * action in a run, a developer's own tag), the annotated tag `vX.Y.Z` or `<service>/vX.Y.Z` arriving at the
 * server is the release. Recording is idempotent, so a push processed twice after a crash records once.
 */

import semver from "semver";
import { describeError } from "../../core/errors";
import { git } from "../../git/git-cli";
import type { PushRecord, RepoRecord, Store } from "../../store";
import type { ReleaseRecord } from "../../store/release-repository";

/** `v1.2.3` → service "", `auth/v1.2.3` → service "auth"; undefined for any other tag. */
export function releaseTagParts(tag: string): { service: string; version: string } | undefined {
  const match = /^(?:(.+)\/)?v([^/]+)$/.exec(tag);
  if (!match || semver.valid(match[2]) !== match[2]) return undefined;
  return { service: match[1] ?? "", version: match[2] };
}

export interface ReleaseRecorderDeps {
  store: Store;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
}

/** Records the release a tag push creates; nothing for branches, deletions or tags that are not versions. */
export async function recordPushedRelease(deps: ReleaseRecorderDeps, repo: RepoRecord, push: PushRecord): Promise<ReleaseRecord | undefined> {
  if (!push.ref.startsWith("refs/tags/") || /^0+$/.test(push.after)) return undefined;
  const tag = push.ref.slice("refs/tags/".length);
  const parts = releaseTagParts(tag);
  if (!parts) return undefined;
  try {
    const dir = deps.repoPath(repo);
    // The tagged commit (peeled) and the annotated tag's message, which `slipway release` makes the changelog.
    const [sha, message] = await Promise.all([
      git(["rev-parse", "--verify", `${push.after}^{commit}`], dir).then((out) => out.trim()),
      git(["for-each-ref", "--format=%(contents)", `refs/tags/${tag}`], dir),
    ]);
    const previous = await previousRelease(deps.store, repo.fullName, parts.service, parts.version);
    const { release } = await deps.store.releases.record({
      repo: repo.fullName,
      service: parts.service,
      version: parts.version,
      tag,
      sha,
      previousVersion: previous ?? null,
      bump: previous ? semver.diff(previous, parts.version) : "initial",
      changelog: message.trimEnd(),
    });
    return release;
  } catch (error) {
    deps.log(`release ${repo.fullName} ${tag}: ${describeError(error)}`);
    return undefined;
  }
}

/** The highest recorded version of the service below `version`. */
async function previousRelease(store: Store, repo: string, service: string, version: string): Promise<string | undefined> {
  const versions = (await store.releases.list({ repo, service, limit: 1000 })).map((r) => r.version).filter((v) => semver.lt(v, version));
  return versions.sort(semver.rcompare)[0];
}
