/** The API's records as the dashboard reads them (a subset of /api/v1/openapi.json). */

export interface User { id: number; name: string; isAdmin: boolean }
export interface Repo { id: number; name: string; owner: string; repo: string; public: boolean; defaultBranch: string; cloneUrl: string; createdAt: number }
export interface Branch { name: string; sha: string; default: boolean; protected: boolean; committedAt: number; subject: string }
export type Status = "queued" | "waiting" | "in_progress" | "completed";
export interface Step { id: number; number: number; name: string; status: Status; conclusion: string | null; startedAt: number | null; completedAt: number | null }
export interface Job {
  id: number; runId: number; jobId: string; jobKey: string; name: string; needs: string[]; status: Status; conclusion: string | null;
  environment: string | null; startedAt: number | null; completedAt: number | null; error: string | null; steps: Step[];
}
export interface Run {
  id: number; repo: string; workflowFile: string; workflowName: string; runNumber: number; event: string; ref: string; sha: string; actor: string;
  status: Status; conclusion: string | null; error: string | null; createdAt: number; startedAt: number | null; completedAt: number | null; jobs?: Job[];
}
export interface LogChunk { seq: number; stepNumber: number | null; content: string }
export interface Check { id: number; name: string; runId: number | null; status: string; conclusion: string | null; sha: string }
export interface Review { id: number; reviewer: string; state: string; body: string; dismissed: boolean; createdAt: number }
export interface PullRequest {
  id: number; number: number; title: string; body: string; sourceBranch: string; targetBranch: string; headSha: string; author: string;
  state: "open" | "closed" | "merged"; mergedSha: string | null; createdAt: number; updatedAt: number;
  checks?: Check[]; reviews?: Review[]; mergeable?: boolean; mergeBlockers?: string[]; upToDate?: boolean;
}
export interface Release { id: number; repo: string; service: string; version: string; tag: string; sha: string; previousVersion: string | null; bump: string | null; changelog: string; createdAt: number }
export interface Image { name: string; repo: string | null; tags: number; latestTag: string | null }
export interface ImageTag { tag: string; digest: string; mediaType: string; size: number }
export interface SyncRecord {
  id: number; app: string; revision: string; trigger: { kind: string; by?: string; sha?: string }; startedAt: string; finishedAt?: string;
  result?: string; message?: string; applied: string[]; pruned: string[]; rolledBackTo?: string; revertCommit?: string; durationMs?: number;
}
export interface AppSummary {
  name: string; repo: string; namespace: string; path: string; sync: string; health: string; healthMessage?: string; operation: string;
  targetRevision?: string; syncedRevision?: string; diff: string[]; ingressUrl?: string; lastSync?: SyncRecord;
}
export interface Resource { kind: string; name: string; namespace: string; health: string; message?: string }
export interface AppDetails extends AppSummary { resources: Resource[]; history: SyncRecord[] }
export interface EnvironmentCell {
  environment: string; service: string; app: string; repo: string; version: string | null; images: string[]; health: string; sync: string;
  operation: string; syncedRevision: string | null; lastSyncAt: string | null; lastResult: string | null; ingressUrl: string | null;
}
export interface EnvironmentBoard { environments: string[]; services: string[]; cells: EnvironmentCell[] }
export interface EventRecord { id: number; type: string; subject: string; repo: string | null; payload: unknown; createdAt: number }
export interface ServerEvent { type: string; repo?: string; runId?: number; app?: string; [key: string]: unknown }
