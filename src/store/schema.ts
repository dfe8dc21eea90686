/** The database as Kysely sees it: one interface per table, snake_case columns, times as epoch ms. */

import type { ColumnType, Generated } from "kysely";
import type { Conclusion, RunStatus } from "../workflow/conclusions";

/** JSON columns hold text on SQLite and jsonb on Postgres; both are written and read as JSON text. */
export type JsonText = string;

/** Epoch milliseconds, stored as a 64-bit integer in both dialects. */
export type EpochMs = number;

export interface RunsTable {
  id: Generated<number>;
  repo: string;
  workflow_file: string;
  workflow_name: string;
  run_number: number;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  inputs_json: JsonText;
  status: RunStatus;
  conclusion: Conclusion | null;
  error: string | null;
  created_at: EpochMs;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
}

/** The last run number handed out per (repo, workflow file); bumped atomically by createRun. */
export interface RunCountersTable {
  repo: string;
  workflow_file: string;
  last_run_number: number;
}

export interface JobsTable {
  id: Generated<number>;
  run_id: number;
  job_id: string;
  job_key: string;
  name: string;
  matrix_json: JsonText | null;
  needs_json: JsonText;
  status: RunStatus;
  conclusion: Conclusion | null;
  outputs_json: JsonText;
  environment: string | null;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
  error: string | null;
  /** The last log chunk seq handed out for this job; bumped in the same transaction as the insert. */
  last_log_seq: ColumnType<number, number | undefined, number>;
}

export interface StepsTable {
  id: Generated<number>;
  job_id: number;
  number: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  outcome: Conclusion | null;
  outputs_json: JsonText;
  started_at: EpochMs | null;
  completed_at: EpochMs | null;
}

export interface LogChunksTable {
  id: Generated<number>;
  job_id: number;
  step_number: number | null;
  seq: number;
  content: string;
  created_at: EpochMs;
}

export type AnnotationLevel = "error" | "warning" | "notice";

export interface AnnotationsTable {
  id: Generated<number>;
  job_id: number;
  step_number: number | null;
  level: AnnotationLevel;
  message: string;
  file: string | null;
  line: number | null;
  col: number | null;
  created_at: EpochMs;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  subject: string;
  payload_json: JsonText;
  created_at: EpochMs;
}

export interface Database {
  runs: RunsTable;
  run_counters: RunCountersTable;
  jobs: JobsTable;
  steps: StepsTable;
  log_chunks: LogChunksTable;
  annotations: AnnotationsTable;
  events: EventsTable;
  users: UsersTable;
  tokens: TokensTable;
  repos: ReposTable;
  repo_members: RepoMembersTable;
  pushes: PushesTable;
  checks: ChecksTable;
  pull_requests: PullRequestsTable;
  reviews: ReviewsTable;
  branch_protections: BranchProtectionsTable;
  releases: ReleasesTable;
  sync_operations: SyncOperationsTable;
  deployments: DeploymentsTable;
  environments: EnvironmentsTable;
  approvals: ApprovalsTable;
  approval_reviews: ApprovalReviewsTable;
  notification_channels: NotificationChannelsTable;
  notification_subscriptions: NotificationSubscriptionsTable;
  notification_deliveries: NotificationDeliveriesTable;
  environment_schedules: EnvironmentSchedulesTable;
  environment_sleeps: EnvironmentSleepsTable;
}

export type StoreDialect = "sqlite" | "postgres";

/** SQLite has no boolean: 0 or 1 in both dialects. */
export type Flag = 0 | 1;

export interface UsersTable {
  id: Generated<number>;
  name: string;
  is_admin: Flag;
  created_at: EpochMs;
}

export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: EpochMs;
  last_used_at: EpochMs | null;
}

export interface ReposTable {
  id: Generated<number>;
  owner: string;
  name: string;
  is_public: Flag;
  default_branch: string;
  branch_patterns_json: JsonText;
  mirror_url: string | null;
  webhook_secret: string | null;
  created_by: number | null;
  created_at: EpochMs;
}

export type RepoRole = "admin" | "maintainer" | "developer" | "viewer";

export interface RepoMembersTable {
  repo_id: number;
  user_id: number;
  role: RepoRole;
}

export interface PushesTable {
  id: Generated<number>;
  repo_id: number;
  ref: string;
  before_sha: string;
  after_sha: string;
  pusher: string;
  forced: Flag;
  commits_json: JsonText;
  changed_paths_json: JsonText;
  created_at: EpochMs;
  processed_at: EpochMs | null;
}

export type CheckStatus = "queued" | "in_progress" | "completed";

export interface ChecksTable {
  id: Generated<number>;
  repo_id: number;
  sha: string;
  name: string;
  run_id: number | null;
  status: CheckStatus;
  conclusion: Conclusion | null;
  updated_at: EpochMs;
}

export type PullRequestState = "open" | "closed" | "merged";

export interface PullRequestsTable {
  id: Generated<number>;
  repo_id: number;
  number: number;
  title: string;
  body: string;
  source_branch: string;
  target_branch: string;
  head_sha: string;
  author_id: number;
  state: PullRequestState;
  merge_method: string | null;
  merged_sha: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export type ReviewState = "approved" | "changes_requested" | "commented";

export interface ReviewsTable {
  id: Generated<number>;
  pull_request_id: number;
  user_id: number;
  state: ReviewState;
  body: string;
  commit_sha: string;
  dismissed: Flag;
  created_at: EpochMs;
}

export interface BranchProtectionsTable {
  repo_id: number;
  branch: string;
  required_checks_json: JsonText;
  required_approvals: number;
  require_up_to_date: Flag;
}

export interface ReleasesTable {
  id: Generated<number>;
  repo: string;
  service: string;
  version: string;
  tag: string;
  sha: string;
  previous_version: string | null;
  bump: string | null;
  changelog: string;
  created_at: EpochMs;
}

export interface NotificationChannelsTable {
  id: Generated<number>;
  name: string;
  kind: string;
  config_json: JsonText;
  created_at: EpochMs;
}

export interface NotificationSubscriptionsTable {
  id: Generated<number>;
  channel_id: number;
  events_json: JsonText;
  environment: string | null;
  repo: string | null;
  template_json: JsonText | null;
  created_at: EpochMs;
}

export type NotificationDeliveryStatus = "pending" | "sent" | "failed";

export interface NotificationDeliveriesTable {
  id: Generated<number>;
  channel_id: number;
  dedupe_key: string;
  trigger: string;
  message_json: JsonText;
  status: NotificationDeliveryStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: EpochMs;
  last_error: string | null;
  created_at: EpochMs;
  finished_at: EpochMs | null;
}

export interface EnvironmentSchedulesTable {
  environment: string;
  uptime: string | null;
  exclusions_json: JsonText;
  override_state: string | null;
  override_until: EpochMs | null;
  updated_at: EpochMs;
}

export interface EnvironmentSleepsTable {
  id: Generated<number>;
  environment: string;
  replicas_json: JsonText;
  reason: string;
  started_at: EpochMs;
  ended_at: EpochMs | null;
}

/** A repository's deployment environment and its protection rules (GitHub-style environment protection). */
export interface EnvironmentsTable {
  repo: string;
  name: string;
  is_protected: Flag;
  required_reviewers: number;
  wait_timer_seconds: number;
  updated_by: string;
  updated_at: EpochMs;
}

export type ApprovalKind = "promotion" | "job";
export type ApprovalState = "pending" | "approved" | "rejected" | "expired" | "cancelled";
/** What became of the approved action: null until it starts. */
export type ApprovalExecution = "running" | "succeeded" | "failed";

export interface ApprovalsTable {
  id: Generated<number>;
  repo: string;
  environment: string;
  kind: ApprovalKind;
  requester: string;
  state: ApprovalState;
  /** The environment's rules when the request was made: later changes do not move a request's goalposts. */
  required_reviewers: number;
  wait_timer_seconds: number;
  payload_json: JsonText;
  /** Why it was cancelled or expired, or the rejecting reviewer's comment. */
  reason: string | null;
  execution: ApprovalExecution | null;
  result_json: JsonText | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  decided_at: EpochMs | null;
  completed_at: EpochMs | null;
}

export type ApprovalDecision = "approved" | "rejected";

export interface ApprovalReviewsTable {
  id: Generated<number>;
  approval_id: number;
  reviewer: string;
  decision: ApprovalDecision;
  comment: string;
  created_at: EpochMs;
}

/** One sync of an Application (migration 005); `seq` is the controller's record id, unique per (repo, app). */
export interface SyncOperationsTable {
  id: Generated<number>;
  repo: string;
  app: string;
  seq: number;
  revision: string;
  trigger: string;
  triggered_by: string | null;
  trigger_sha: string | null;
  started_at: EpochMs;
  finished_at: EpochMs | null;
  result: string | null;
  message: string | null;
  applied_json: JsonText;
  pruned_json: JsonText;
  rolled_back_to: string | null;
  revert_commit: string | null;
  duration_ms: number | null;
}

/** One deployment outcome (migration 005): a new revision ended healthy, failed or rolled back. */
export interface DeploymentsTable {
  id: Generated<number>;
  repo: string;
  app: string;
  namespace: string;
  sync_seq: number;
  revision: string;
  previous_revision: string | null;
  trigger: string;
  result: string;
  service: string;
  version: string | null;
  images_json: JsonText;
  source_commit: string | null;
  run_id: string | null;
  message: string | null;
  started_at: EpochMs;
  finished_at: EpochMs;
}
