/** Releases: conventional commits → next semver per service, CHANGELOG.md, annotated tags. */

export { planRelease } from "./plan-release";
export { applyRelease, releaseCommitMessage } from "./apply-release";
export { loadReleaseConfig, releaseConfigFile } from "./release-config-file";
export { parseReleaseConfig, defaultReleaseConfig, type ReleaseConfig, type ServiceConfig, type PrereleaseChannel } from "./release-config";
export { parseConventionalCommit, type ConventionalCommit, type RawCommit } from "./conventional-commit";
export { renderChangelogSection, prependToChangelog } from "./changelog";
export type { ReleasePlan, ReleaseResult, ReleaseBump, PlannedCommit, PlanReleaseOptions, ApplyReleaseOptions } from "./release-plan";
export type { BumpLevel } from "./version-bump";
