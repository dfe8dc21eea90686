/** `slipway approvals [--env E] [--json]`: approval requests on the server (SLIPWAY_URL), pending ones first of all; and how one is described. */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import type { ApprovalView } from "../../server/services/approvals";
import { requireServer, type ApiClient } from "../api-client";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";

interface ApprovalsFlags {
  env?: string;
  repository?: string;
  state?: string;
  all?: boolean;
  limit: string;
  json?: boolean;
}

const states = ["pending", "approved", "rejected", "expired", "cancelled"];

const field = (payload: JsonObject, key: string): string => (typeof payload[key] === "string" || typeof payload[key] === "number" ? String(payload[key]) : "");

/** `promote web 1.2.0` or `job deploy of run 12`. */
export function approvalSubject(approval: ApprovalView): string {
  const p = approval.payload;
  if (approval.kind === "promotion") return `promote ${field(p, "service")} ${field(p, "version")}`;
  return `job ${field(p, "jobName") || field(p, "job")} of run ${field(p, "runId")}`;
}

/** Where the request stands: `pending: 1 more approval`, `approved: promoted (commit 1a2b3c4)`, `rejected by bob: …`. */
export function approvalStatus(approval: ApprovalView): string {
  if (approval.state === "pending") return `pending: waiting for ${approval.progress.waitingFor.join(" and ")}`;
  if (approval.state !== "approved") return `${approval.state}${approval.reason ? `: ${approval.reason}` : ""}`;
  const result = (approval.result ?? {}) as JsonObject;
  switch (approval.execution) {
    case "succeeded":
      if (approval.kind === "job") return "approved: the job was released";
      return typeof result.commit === "string" ? `approved: promoted (commit ${result.commit.slice(0, 12)})` : "approved: promoted (already at that version)";
    case "failed":
      return `approved, but the promotion failed: ${field(result, "error")}`;
    case "running":
      return "approved: promoting now";
    default:
      return approval.progress.waitingFor.length > 0 ? `approved: waiting for ${approval.progress.waitingFor.join(" and ")}` : "approved";
  }
}

/** Several lines about one request, for `approve`, `reject` and `promote`. */
export function describeApproval(approval: ApprovalView): string {
  const lines = [`approval ${approval.id}: ${approvalSubject(approval)} to ${approval.environment} (${approval.repo}), requested by ${approval.requester}`, `  ${approvalStatus(approval)}`];
  for (const review of approval.reviews) lines.push(`  ${review.decision} by ${review.reviewer}${review.comment ? `: ${review.comment}` : ""}`);
  return `${lines.join("\n")}\n`;
}

export async function fetchApproval(server: ApiClient, id: string): Promise<ApprovalView> {
  return server.request<ApprovalView>("GET", `/approvals/${approvalId(id)}`);
}

export function approvalId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new SlipwayError("USAGE", `'${text}' is not an approval id (a positive whole number).`);
  return id;
}

async function listApprovals(flags: ApprovalsFlags): Promise<number> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new SlipwayError("USAGE", "--limit expects a whole number from 1 to 500.");
  if (flags.state && !states.includes(flags.state)) throw new SlipwayError("USAGE", `--state is one of ${states.join(", ")}.`);
  const query = new URLSearchParams({ limit: String(limit) });
  if (flags.env) query.set("environment", flags.env);
  if (flags.repository) query.set("repo", flags.repository);
  const state = flags.state ?? (flags.all ? undefined : "pending");
  if (state) query.set("state", state);
  const approvals = await requireServer().request<ApprovalView[]>("GET", `/approvals?${query.toString()}`);
  if (flags.json) {
    printJson(approvals);
    return 0;
  }
  if (approvals.length === 0) {
    process.stdout.write(`No ${state ?? ""}${state ? " " : ""}approval requests${flags.env ? ` for ${flags.env}` : ""}.\n`);
    return 0;
  }
  const rows = approvals.map((a) => [String(a.id), a.repo, a.environment, approvalSubject(a), a.requester, `${a.progress.approvals}/${a.progress.required}`, approvalStatus(a), new Date(a.createdAt).toISOString()]);
  process.stdout.write(`${renderTable(["ID", "REPO", "ENV", "WHAT", "REQUESTER", "APPROVALS", "STATUS", "REQUESTED"], rows)}\n`);
  return 0;
}

export function registerApprovalsCommand(program: Command): void {
  program
    .command("approvals")
    .description("list approval requests for protected environments on the server (SLIPWAY_URL): pending ones unless --all or --state")
    .option("--env <environment>", "only this environment")
    .option("--repository <owner/name>", "only this repository")
    .option("--state <state>", `only this state: ${states.join(", ")}`)
    .option("--all", "every state, not only pending")
    .option("-n, --limit <n>", "how many", "50")
    .option("--json", "print them as JSON")
    .action(action(listApprovals));
}
