/**
 * Documentation for /api/v1 routes defined without a full schema: summaries and response schemas by
 * `METHOD /path`, merged into each route as it is registered (a route's own schema always wins).
 */

import {
  appDetailsSchema, appSummarySchema, arrayOf, checkSchema, logChunkSchema, objectSchema, protectionSchema, pullRequestDetailsSchema,
  pullRequestSchema, pushSchema, replicaSchema, repoSchema, reviewSchema, runSchema, runWithJobsSchema, syncRecordSchema, userSchema, type JsonSchema,
} from "./openapi-schemas";

export interface RouteDoc {
  summary: string;
  /** The success status and its body; omitted for 204. */
  response?: [number, JsonSchema];
}

const repo = "/api/v1/repos/:owner/:name";
const tokenIssued = objectSchema({ id: int(), token: { type: "string" }, user: userSchema });
const memberSet = objectSchema({ repo: { type: "string" }, user: { type: "string" }, role: { type: "string" } });
const commitChecks = objectSchema({ sha: { type: "string" }, state: { type: "string" }, checks: arrayOf(checkSchema) });
const cancelled = objectSchema({ runId: int(), cancelled: { type: "boolean" }, status: { type: "string" } });
const merged = objectSchema({ merged: { type: "boolean" }, method: { type: "string" }, sha: { type: "string" }, pullRequest: pullRequestSchema, push: pushSchema });

function int(): JsonSchema {
  return { type: "integer" };
}

export const routeDocs: Record<string, RouteDoc> = {
  "GET /api/v1/user": { summary: "The caller", response: [200, userSchema] },
  "GET /api/v1/users": { summary: "Every user", response: [200, arrayOf(userSchema)] },
  "POST /api/v1/users": { summary: "Create a user (site admin)", response: [201, userSchema] },
  "POST /api/v1/users/:name/tokens": { summary: "Issue a personal access token (shown once)", response: [201, tokenIssued] },
  "GET /api/v1/repos": { summary: "Repositories the caller can see", response: [200, arrayOf(repoSchema)] },
  "POST /api/v1/repos": { summary: "Create a hosted (or mirrored) repository", response: [201, repoSchema] },
  [`GET ${repo}`]: { summary: "One repository", response: [200, repoSchema] },
  [`PATCH ${repo}`]: { summary: "Change visibility or allowed branch patterns", response: [200, repoSchema] },
  [`DELETE ${repo}`]: { summary: "Delete a repository, cancelling its runs" },
  [`PUT ${repo}/members/:user`]: { summary: "Give a user a role on the repository", response: [200, memberSet] },
  [`GET ${repo}/pushes`]: { summary: "Recent pushes", response: [200, arrayOf(pushSchema)] },
  [`GET ${repo}/commits/:sha/checks`]: { summary: "Checks of a commit and their combined state", response: [200, commitChecks] },
  [`POST ${repo}/dispatches`]: { summary: "Start a workflow_dispatch run", response: [201, objectSchema({ runs: arrayOf(runSchema) })] },
  [`GET ${repo}/runs`]: { summary: "Runs of a repository, newest first", response: [200, arrayOf(runSchema)] },
  "GET /api/v1/runs": { summary: "Recent runs across visible repositories", response: [200, arrayOf(runSchema)] },
  "GET /api/v1/runs/:id": { summary: "A run with its jobs and steps", response: [200, runWithJobsSchema] },
  "GET /api/v1/runs/:id/jobs/:job/logs": { summary: "A page of a job's log chunks after a seq", response: [200, arrayOf(logChunkSchema)] },
  "POST /api/v1/runs/:id/cancel": { summary: "Cancel a run", response: [202, cancelled] },
  [`GET ${repo}/pulls`]: { summary: "Pull requests", response: [200, arrayOf(pullRequestSchema)] },
  [`POST ${repo}/pulls`]: { summary: "Open a pull request", response: [201, pullRequestDetailsSchema] },
  [`GET ${repo}/pulls/:number`]: { summary: "A pull request with checks, reviews and merge blockers", response: [200, pullRequestDetailsSchema] },
  [`PATCH ${repo}/pulls/:number`]: { summary: "Close or reopen a pull request", response: [200, pullRequestDetailsSchema] },
  [`GET ${repo}/pulls/:number/reviews`]: { summary: "Reviews of a pull request", response: [200, arrayOf(reviewSchema)] },
  [`POST ${repo}/pulls/:number/reviews`]: { summary: "Approve, request changes or comment", response: [201, reviewSchema] },
  [`PUT ${repo}/pulls/:number/merge`]: { summary: "Merge a pull request", response: [200, merged] },
  [`GET ${repo}/branches/*`]: { summary: "Protection of a branch (path ends in /protection)", response: [200, protectionSchema] },
  [`PUT ${repo}/branches/*`]: { summary: "Set the protection of a branch", response: [200, protectionSchema] },
  [`DELETE ${repo}/branches/*`]: { summary: "Remove the protection of a branch" },
  "GET /api/v1/apps": { summary: "Applications of every environment repo", response: [200, arrayOf(appSummarySchema)] },
  "GET /api/v1/apps/:name": { summary: "An Application with resources and sync history", response: [200, appDetailsSchema] },
  "GET /api/v1/apps/:name/replicas": { summary: "Replicas of the Application's Deployments", response: [200, arrayOf(replicaSchema)] },
  "POST /api/v1/apps/:name/sync": { summary: "Sync an Application now", response: [200, objectSchema({ history: arrayOf(syncRecordSchema) }, [])] },
  "POST /api/v1/apps/:name/rollback": { summary: "Roll an Application back to an earlier revision", response: [200, objectSchema({ record: syncRecordSchema, app: appSummarySchema })] },
};

/** The tag of an /api/v1 path: its first meaningful segment (`repos/:owner/:name/pulls` → pulls). */
export function routeTag(url: string): string {
  const segments = url.replace(/^\/api\/v1\/?/, "").split("/").filter((segment) => segment && !segment.startsWith(":") && segment !== "*");
  if (segments[0] === "repos" && segments[1]) return segments[1] === "commits" ? "checks" : segments[1];
  return segments[0] ?? "meta";
}
