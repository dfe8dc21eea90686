/** The sync controller: per-Application reconcile with safe rollout, and the controller that drives every Application of an env repo. */

export { ApplicationController, type ApplicationControllerOptions } from "./application-controller";
export { SyncController, type SyncControllerEvents, type SyncControllerOptions } from "./sync-controller";
export { renderDesired, type DesiredObject, type DesiredState } from "./desired-state";
export { gitCommitReader, resolveRevision } from "./git-reader";
export { writeRestoreCommit, writeRevertCommit, type EnvRepoWriterOptions, type GitIdentity } from "./git-writer";
export type * from "./types";
