/** What a release will do for one service (`ReleasePlan`) and what it did (`ReleaseResult`). */

import type { ReleaseConfig } from "./release-config";
import type { BumpLevel } from "./version-bump";

/** `initial`: the service's first release, which takes the configured first version. */
export type ReleaseBump = BumpLevel | "initial";

export interface PlannedCommit {
  sha: string;
  header: string;
  type?: string;
  scope?: string;
  breaking: boolean;
  /** What this commit alone asks for; undefined for commits that release nothing (chore, docs, …). */
  level?: BumpLevel;
  pullRequest?: number;
}

export interface ReleasePlan {
  service: string;
  /** The service directory, `.` for the whole repository. */
  path: string;
  previousVersion: string | null;
  previousTag: string | null;
  /** null: nothing to release (see `reason`). */
  nextVersion: string | null;
  bump: ReleaseBump | null;
  tag: string | null;
  /** Prerelease channel (`rc`), null on a stable branch. */
  channel: string | null;
  /** The new CHANGELOG section (empty when nothing is released). */
  changelog: string;
  /** Repo-relative path of the service's CHANGELOG.md. */
  changelogPath: string;
  /** Commits of the service in the release range, newest first, reverted pairs removed. */
  commits: PlannedCommit[];
  /** The commit being released. */
  headSha: string;
  /** One line on why there is (or is not) a release. */
  reason: string;
}

export interface ReleaseResult {
  service: string;
  version: string | null;
  tag: string | null;
  released: boolean;
  /** The `chore(release)` commit, when one was made. */
  releaseCommit?: string;
  /** The commit the tag points at. */
  taggedCommit?: string;
  changelog: string;
  reason: string;
}

export interface PlanReleaseOptions {
  /** Only these services (names). */
  services?: string[];
  /** The commit to release; default HEAD. */
  head?: string;
  /** Branch name for prerelease channel matching; default the checked-out branch. */
  branch?: string;
  /** Force a prerelease channel (`rc`), whatever the branch. */
  prerelease?: string;
  /** Release date for changelog headings; default now. */
  date?: Date;
  /** Name of a root service the configuration leaves unnamed; default the repository directory's name. */
  rootServiceName?: string;
  /** Overrides the configuration file (tests, the built-in action). */
  config?: ReleaseConfig;
  /** Read history through the commit cache in `<git-common-dir>/slipway/release-cache/` (default true unless SLIPWAY_RELEASE_CACHE=0). */
  cache?: boolean;
}

export interface ApplyReleaseOptions {
  /** Write CHANGELOG.md and commit it before tagging (default true); false: tag the planned commit only. */
  commit?: boolean;
  /** Push the release commit and the tags to this remote (default: no push). */
  push?: boolean;
  remote?: string;
  /** Branch to push the release commit to; default the checked-out branch. */
  branch?: string;
  /** Committer/tagger identity, for machines without git config (the built-in action). */
  identity?: { name: string; email: string };
}
