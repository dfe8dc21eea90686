/** The server's EnvironmentGate: a job deploying to a protected environment waits (status `waiting`) for its approval request. */

import { describeError } from "../../core/errors";
import type { JobPatch, Store } from "../../store";
import type { EnvironmentGate, EnvironmentGateDecision, EnvironmentGateRequest } from "../../workflow/engine/environment-gate";
import type { ApprovalService } from "./approvals";
import type { ServerEvents } from "./server-events";

export interface ApprovalGateDeps {
  store: Store;
  events: ServerEvents;
  approvals: ApprovalService;
  log(message: string): void;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function approvalGate(deps: ApprovalGateDeps): EnvironmentGate {
  const { store, events, approvals } = deps;

  /** The job's record (created when it was queued) gets the waiting state and its reason. */
  const updateJob = async (request: EnvironmentGateRequest, patch: JobPatch): Promise<void> => {
    try {
      const run = await store.runs.getRun(request.runId);
      const job = run?.jobs.find((candidate) => candidate.jobKey === request.job.key);
      if (!job) return;
      await store.runs.updateJob(job.id, patch);
      if (patch.status) events.emit({ type: "job.updated", repo: request.repository, runId: request.runId, job: request.job.key, status: patch.status });
    } catch (error) {
      deps.log(`run ${request.runId} job '${request.job.key}': ${describeError(error)}`);
    }
  };

  return {
    async enter(request, control): Promise<EnvironmentGateDecision> {
      const environment = await approvals.environment(request.repository, request.environment.name);
      if (!environment.protected) return { proceed: true };
      const approval = await approvals.request({
        repo: request.repository, environment: environment.name, kind: "job", requester: request.actor,
        requiredReviewers: environment.requiredReviewers, waitTimerSeconds: environment.waitTimerSeconds,
        payload: {
          runId: request.runId, runNumber: request.runNumber, workflow: request.workflowFile, workflowName: request.workflowName,
          job: request.job.key, jobName: request.job.name, ref: request.ref, sha: request.sha, url: request.environment.url ?? null,
        },
      });
      const rules = [
        environment.requiredReviewers > 0 ? `${plural(environment.requiredReviewers, "approval")} from users other than ${request.actor}` : undefined,
        environment.waitTimerSeconds > 0 ? `a wait timer of ${environment.waitTimerSeconds}s` : undefined,
      ].filter(Boolean).join(" and ");
      const message = `Waiting for approval ${approval.id} to deploy to ${environment.name} (${rules}): \`slipway approve ${approval.id}\` or \`slipway reject ${approval.id}\`.`;
      await updateJob(request, { status: "waiting", environment: environment.name, error: message });
      await control.waiting(message);

      const decided = await approvals.waitUntilDecided(approval.id, control.signal);
      if (!decided || control.signal.aborted) {
        const reason = control.signal.aborted ? describeError(control.signal.reason) : "the server is shutting down";
        await approvals.cancel(approval.id, reason, "slipway").catch(() => false);
        return { proceed: false, conclusion: "cancelled", message: `Cancelled while waiting for approval ${approval.id} to deploy to ${environment.name}: ${reason}` };
      }
      if (decided.state !== "approved") {
        return { proceed: false, conclusion: "failure", message: `Deployment to ${environment.name} was ${decided.state}${decided.reason ? ` (${decided.reason})` : ""}: approval ${approval.id}. The job did not run.` };
      }
      // The approval is consumed by this job: recovery and a second claim leave it alone.
      if (await store.approvals.claimExecution(approval.id)) await store.approvals.finishExecution(approval.id, "succeeded", { released: true, runId: request.runId, job: request.job.key });
      await updateJob(request, { status: "queued", error: null });
      return { proceed: true };
    },
  };
}
