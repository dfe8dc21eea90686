/** The pure heart of a release: one service's commits and tags → its next version, tag and changelog. */

import semver from "semver";
import { SlipwayError } from "../core/errors";
import { renderChangelogSection } from "./changelog";
import type { ConventionalCommit } from "./conventional-commit";
import type { PlannedCommit, ReleaseBump, ReleasePlan } from "./release-plan";
import { tagForVersion, type ServiceTagState } from "./release-tags";
import { withoutCancelledReverts } from "./reverts";
import { baseVersion, commitBumpLevel, effectiveLevel, firstFreeVersion, highestBumpLevel, nextPrereleaseVersion, nextStableVersion, type BumpLevel } from "./version-bump";

export interface ServicePlanInput {
  service: string;
  path: string;
  tagPrefix: string;
  tags: ServiceTagState;
  /** The service's commits since its latest stable release, newest first. */
  sinceStable: ConventionalCommit[];
  /** The service's commits since its latest release on the channel (a subset of sinceStable). */
  sinceRelease: ConventionalCommit[];
  channel?: string;
  firstVersion: string;
  preMajor: boolean;
  onVersionTaken: "fail" | "skip";
  headSha: string;
  /** YYYY-MM-DD */
  date: string;
  repositoryUrl?: string;
  changelogPath: string;
}

export function planService(input: ServicePlanInput): ReleasePlan {
  const previous = input.channel ? input.tags.latestRelease : input.tags.latestStable;
  const counted = withoutCancelledReverts(input.channel ? input.sinceRelease : input.sinceStable);
  const plan: ReleasePlan = {
    service: input.service,
    path: input.path,
    previousVersion: previous?.version ?? null,
    previousTag: previous?.tag ?? null,
    nextVersion: null,
    bump: null,
    tag: null,
    channel: input.channel ?? null,
    changelog: "",
    changelogPath: input.changelogPath,
    commits: counted.map(plannedCommit),
    headSha: input.headSha,
    reason: "",
  };
  const incrementLevel = highestBumpLevel(counted);
  if (!incrementLevel) {
    plan.reason = noReleaseReason(input, previous?.tag, previous?.commit, counted.length);
    return plan;
  }
  const stableLevel = input.channel ? (highestBumpLevel(withoutCancelledReverts(input.sinceStable)) ?? incrementLevel) : incrementLevel;
  const stablePrevious = input.tags.latestStable?.version;
  let version = nextStableVersion({ previous: stablePrevious, level: stableLevel, firstVersion: input.firstVersion, preMajor: input.preMajor });
  const bump: ReleaseBump = stablePrevious ? effectiveLevel(stablePrevious, stableLevel, input.preMajor) : "initial";
  version = avoidTakenStable(input, version, bump === "initial" ? "patch" : bump);
  if (input.channel) {
    const latest = input.tags.latestRelease;
    // A channel never goes backwards: a prerelease above the computed base keeps its base.
    if (latest && semver.prerelease(latest.version) && semver.gt(baseVersion(latest.version), version)) version = baseVersion(latest.version);
    version = nextPrereleaseVersion(version, input.channel, input.tags.taken.keys());
  }
  plan.nextVersion = version;
  plan.bump = bump;
  plan.tag = tagForVersion(input.tagPrefix, version);
  plan.changelog = renderChangelogSection({ version, previousTag: previous?.tag, tag: plan.tag, date: input.date, commits: counted, repositoryUrl: input.repositoryUrl });
  plan.reason = `${counted.length} commit${counted.length === 1 ? "" : "s"} since ${previous?.tag ?? "the beginning"}; ${describeLevel(incrementLevel, bump)}`;
  return plan;
}

/** A stable version tagged at a commit outside HEAD's history is never reused: fail, or bump past it. */
function avoidTakenStable(input: ServicePlanInput, version: string, level: BumpLevel): string {
  const taken = input.tags.taken.get(version);
  if (!taken) return version;
  if (input.onVersionTaken === "skip") {
    const stableTaken = new Set([...input.tags.taken.keys()].filter((v) => !semver.prerelease(v)));
    return firstFreeVersion(version, level, stableTaken);
  }
  throw new SlipwayError(
    "RELEASE_CONFLICT",
    `${input.service || "release"}: version ${version} is already tagged as ${taken.tag} at ${taken.commit.slice(0, 7)}, which is not in the history of ${input.headSha.slice(0, 7)}; a version is never reused.`,
    { hint: `Merge the branch that holds ${taken.tag}, or set "onVersionTaken": "skip" in slipway.release.json to release the next free version.`, details: { tag: taken.tag, commit: taken.commit } },
  );
}

function noReleaseReason(input: ServicePlanInput, previousTag: string | undefined, previousCommit: string | undefined, counted: number): string {
  if (previousCommit === input.headSha) return `${previousTag} already points at ${input.headSha.slice(0, 7)}`;
  if (counted === 0) return `no commits touch ${input.path} since ${previousTag ?? "the beginning"}`;
  return `no releasable commits since ${previousTag ?? "the beginning"} (only ${counted} chore/docs/refactor/… or reverted)`;
}

function describeLevel(level: BumpLevel, bump: ReleaseBump): string {
  if (bump === "initial") return "first release";
  return bump === level ? `${level} bump` : `${level} changes, ${bump} bump below 1.0.0`;
}

function plannedCommit(commit: ConventionalCommit): PlannedCommit {
  return {
    sha: commit.sha,
    header: commit.header,
    type: commit.type,
    scope: commit.scope,
    breaking: commit.breaking,
    level: commitBumpLevel(commit),
    pullRequest: commit.pullRequest,
  };
}
