/** `slipway approve ID [--comment C]` and `slipway reject ID [--comment C]`: review an approval request on the server (SLIPWAY_URL). */

import type { Command } from "commander";
import type { ApprovalView } from "../../server/services/approvals";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { approvalId, describeApproval } from "./approvals";

interface ReviewFlags {
  comment?: string;
  json?: boolean;
}

function review(decision: "approve" | "reject") {
  return async (id: string, flags: ReviewFlags): Promise<number> => {
    const body = flags.comment ? { comment: flags.comment } : {};
    const approval = await requireServer().request<ApprovalView>("POST", `/approvals/${approvalId(id)}/${decision}`, body);
    if (flags.json) printJson(approval);
    else process.stdout.write(describeApproval(approval));
    return 0;
  };
}

export function registerApproveCommand(program: Command): void {
  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(decision === "approve"
        ? "approve a pending deployment to a protected environment (you need write access and must not be its requester)"
        : "reject a pending deployment to a protected environment: the promotion is not made, a waiting job fails")
      .argument("<id>", "the approval request (`slipway approvals` lists them)")
      .option("-m, --comment <text>", "a comment recorded with the review")
      .option("--json", "print the request as JSON")
      .action(action(review(decision)));
  }
}
