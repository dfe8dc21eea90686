/** The store's public surface: openStore, the repositories' interfaces and their records. */

export { openStore, type Store, type StoreOptions, type StoreSession } from "./open-store";
export type { StoreConfig } from "./connection";
export type { Database, StoreDialect, AnnotationLevel } from "./schema";
export type { RunRepository } from "./run-repository";
export type {
  AnnotationRecord, JobPatch, JobRecord, JobWithSteps, NewAnnotation, NewJob, NewRun, RunPatch, RunQuery,
  RunRecord, RunWithJobs, StepPatch, StepRecord,
} from "./run-records";
export type { LogChunk, LogReadOptions, LogRepository } from "./log-repository";
export { BufferedLogWriter, type BufferedLogWriterOptions } from "./log-writer";
export type { EventLog, EventQuery, EventRecord, NewEvent } from "./event-log";
export { AccountRepository, hashToken, type IssuedToken, type UserRecord } from "./account-repository";
export { RepoRepository, type NewPush, type NewRepo, type PushRecord, type RepoRecord } from "./repo-repository";
export type { RepoRole } from "./schema";
export { CheckRepository, type CheckRecord } from "./check-repository";
export {
  PullRequestRepository, type BranchProtectionRecord, type NewPullRequest, type PullRequestRecord, type ReviewRecord,
} from "./pull-request-repository";
export type { PullRequestState, ReviewState } from "./schema";
export { ReleaseRepository, type NewRelease, type ReleaseRecord } from "./release-repository";
export { SyncRepository, type DeploymentQuery, type StoredDeployment, type StoredSync } from "./sync-repository";
export {
  ApprovalRepository, type ApprovalQuery, type ApprovalRecord, type ApprovalReviewRecord, type ApprovalTransition, type EnvironmentProtection,
  type EnvironmentRecord, type NewApproval,
} from "./approval-repository";
export type { ApprovalDecision, ApprovalExecution, ApprovalKind, ApprovalState } from "./schema";
export { NotificationRepository, type ChannelRecord, type DeliveryRecord, type NewDelivery, type NewSubscription, type SubscriptionRecord } from "./notification-repository";
export { ScheduleRepository, type EnvironmentScheduleRecord, type PowerState, type SleepRecord } from "./schedule-repository";
