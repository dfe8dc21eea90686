/** JSON schemas of the API's records, shared by route definitions and the OpenAPI document. */

export type JsonSchema = Record<string, unknown>;

const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const bool = { type: "boolean" } as const;
const nullableStr = { type: ["string", "null"] } as const;
const nullableInt = { type: ["integer", "null"] } as const;
const anyObject = { type: "object", additionalProperties: true } as const;

/** An object schema; every listed property is required unless named in `optional`. */
export function objectSchema(properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return { type: "object", properties, required: Object.keys(properties).filter((key) => !optional.includes(key)), additionalProperties: true };
}

export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: "array", items });

export const errorSchema = objectSchema({
  error: objectSchema({ code: str, message: str, hint: str, details: anyObject }, ["hint", "details"]),
});

const status = { type: "string", enum: ["queued", "waiting", "in_progress", "completed"] } as const;
const conclusion = { type: ["string", "null"] } as const;

export const userSchema = objectSchema({ id: int, name: str, isAdmin: bool, createdAt: int });

export const repoSchema = objectSchema({
  id: int, name: str, owner: str, repo: str, public: bool, mirrorUrl: nullableStr, defaultBranch: str,
  branchPatterns: arrayOf(str), cloneUrl: str, createdAt: int,
});

export const branchSchema = objectSchema({ name: str, sha: str, default: bool, protected: bool, committedAt: int, subject: str });

export const pushSchema = objectSchema({
  id: int, repoId: int, ref: str, before: str, after: str, pusher: str, forced: bool, commits: arrayOf(anyObject), changedPaths: arrayOf(str), createdAt: int,
});

export const checkSchema = objectSchema({ id: int, repoId: int, sha: str, name: str, runId: nullableInt, status: str, conclusion, updatedAt: int });

export const stepSchema = objectSchema({
  id: int, jobId: int, number: int, name: str, status, conclusion, outcome: conclusion, outputs: anyObject, startedAt: nullableInt, completedAt: nullableInt,
});

export const jobSchema = objectSchema({
  id: int, runId: int, jobId: str, jobKey: str, name: str, matrix: { type: ["object", "null"], additionalProperties: true }, needs: arrayOf(str),
  status, conclusion, outputs: anyObject, environment: nullableStr, startedAt: nullableInt, completedAt: nullableInt, error: nullableStr,
  steps: arrayOf(stepSchema),
}, ["steps"]);

const runProperties = {
  id: int, repo: str, workflowFile: str, workflowName: str, runNumber: int, event: str, ref: str, sha: str, actor: str, inputs: anyObject,
  status, conclusion, error: nullableStr, createdAt: int, startedAt: nullableInt, completedAt: nullableInt,
};
export const runSchema = objectSchema(runProperties);
export const runWithJobsSchema = objectSchema({ ...runProperties, jobs: arrayOf(jobSchema) });

export const logChunkSchema = objectSchema({ id: int, jobId: int, stepNumber: nullableInt, seq: int, content: str, createdAt: int });

export const reviewSchema = objectSchema({ id: int, pullRequestId: int, userId: int, reviewer: str, state: str, body: str, commitSha: str, dismissed: bool, createdAt: int });

export const protectionSchema = objectSchema({ branch: str, requiredChecks: arrayOf(str), requiredApprovals: int, requireUpToDate: bool }, ["requiredChecks", "requiredApprovals", "requireUpToDate"]);

const pullProperties = {
  id: int, repoId: int, number: int, title: str, body: str, sourceBranch: str, targetBranch: str, headSha: str, authorId: int, author: str,
  state: { type: "string", enum: ["open", "closed", "merged"] }, mergeMethod: nullableStr, mergedSha: nullableStr, createdAt: int, updatedAt: int,
};
export const pullRequestSchema = objectSchema(pullProperties);
export const pullRequestDetailsSchema = objectSchema({
  ...pullProperties, targetSha: nullableStr, checks: arrayOf(checkSchema), reviews: arrayOf(reviewSchema), protection: protectionSchema,
  upToDate: bool, conflicts: arrayOf(str), mergeable: bool, mergeBlockers: arrayOf(str),
});

export const releaseSchema = objectSchema({
  id: int, repo: str, service: str, version: str, tag: str, sha: str, previousVersion: nullableStr, bump: nullableStr, changelog: str, createdAt: int,
});

export const syncRecordSchema = objectSchema({
  id: int, app: str, revision: str, trigger: objectSchema({ kind: str, sha: str, by: str }, ["sha", "by"]), startedAt: str, finishedAt: str,
  result: { type: "string", enum: ["Succeeded", "Failed", "RolledBack"] }, message: str, applied: arrayOf(str), pruned: arrayOf(str),
  rolledBackTo: str, revertCommit: str, durationMs: int,
}, ["finishedAt", "result", "message", "rolledBackTo", "revertCommit", "durationMs"]);

const appSummaryProperties = {
  app: str, name: str, repo: str, runtime: str, namespace: str, path: str, sync: str, health: str, healthMessage: str,
  targetRevision: str, syncedRevision: str, diff: arrayOf(str), operation: str, ingressUrl: str, lastSync: syncRecordSchema,
};
const appSummaryOptional = ["healthMessage", "targetRevision", "syncedRevision", "ingressUrl", "lastSync"];
export const appSummarySchema = objectSchema(appSummaryProperties, appSummaryOptional);
export const resourceSchema = objectSchema({ kind: str, name: str, namespace: str, health: str, message: str }, ["message"]);
export const appDetailsSchema = objectSchema({ ...appSummaryProperties, resources: arrayOf(resourceSchema), history: arrayOf(syncRecordSchema) }, appSummaryOptional);
export const replicaSchema = objectSchema({
  app: str, namespace: str, deployment: str, name: str, pid: int, port: int, image: str, revision: str, phase: str, ready: bool, restarts: int, startedAt: str,
}, ["pid", "port", "startedAt"]);

export const eventSchema = objectSchema({ id: int, type: str, subject: str, repo: nullableStr, payload: {}, createdAt: int });

export const imageSchema = objectSchema({ name: str, repo: nullableStr, tags: int, latestTag: nullableStr });
export const imageTagSchema = objectSchema({ tag: str, digest: str, mediaType: str, size: int });

export const environmentCellSchema = objectSchema({
  app: str, repo: str, service: str, version: nullableStr, images: arrayOf(str), health: str, sync: str, operation: str,
  syncedRevision: nullableStr, targetRevision: nullableStr, lastSyncAt: nullableStr, lastResult: nullableStr, ingressUrl: nullableStr,
});
export const environmentSchema = objectSchema({ name: str, apps: arrayOf(environmentCellSchema) });
export const environmentBoardSchema = objectSchema({ environments: arrayOf(str), services: arrayOf(str), cells: arrayOf(objectSchema({ environment: str, ...environmentCellSchema.properties as Record<string, JsonSchema> })) });

/** The params schema of a path: every `:name` is a required string. */
export function pathParamsSchema(url: string): JsonSchema | undefined {
  const names = [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] as string);
  if (url.endsWith("*")) names.push("*");
  if (names.length === 0) return undefined;
  return { type: "object", properties: Object.fromEntries(names.map((name) => [name, { type: "string" }])), required: names };
}
