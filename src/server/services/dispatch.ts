/** workflow_dispatch on the server: one workflow at a ref, inputs validated against their types. */

import { basename } from "node:path";
import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { gitMaybe } from "../../git/git-cli";
import type { RepoRecord, RunRecord } from "../../store";
import { loadWorkflowsAtCommit } from "../../workflow/commit-workflows";
import { formatDiagnostic } from "../../workflow/model";
import { resolveDispatchInputs } from "../../workflow/triggers";
import type { ServerContext } from "../server-context";
import { repositoryPayload } from "./repository-payload";

export async function dispatchWorkflow(
  context: ServerContext,
  repo: RepoRecord,
  request: { workflow: string; ref: string; inputs: Record<string, string | number | boolean>; actor: string },
): Promise<RunRecord[]> {
  const repoPath = context.repoPath(repo);
  const ref = request.ref.startsWith("refs/") ? request.ref : `refs/heads/${request.ref}`;
  const sha = (await gitMaybe(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repoPath))?.trim();
  if (!sha) throw new SlipwayError("NOT_FOUND", `No ref '${request.ref}' in ${repo.fullName}.`);
  const loaded = await loadWorkflowsAtCommit(repoPath, sha);
  const file = loaded.files.find((f) => f === request.workflow || basename(f) === request.workflow);
  if (!file) throw new SlipwayError("WORKFLOW_NOT_FOUND", `No workflow '${request.workflow}' at ${request.ref} (found: ${loaded.files.join(", ") || "none"}).`);
  const workflow = loaded.workflows.find((w) => w.file === file);
  if (!workflow) {
    throw new SlipwayError("WORKFLOW_INVALID", `${file} has errors: ${loaded.diagnostics.filter((d) => d.file === file && d.severity === "error").map(formatDiagnostic).join("; ")}`);
  }
  if (!workflow.on.workflowDispatch) throw new SlipwayError("EVENT_NOT_TRIGGERED", `${file} has no 'on: workflow_dispatch' trigger.`);
  const raw = Object.fromEntries(Object.entries(request.inputs).map(([k, v]) => [k, String(v)]));
  const inputs = resolveDispatchInputs(workflow.on.workflowDispatch.inputs, raw);
  const repository = repositoryPayload(repo);
  const event = { name: "workflow_dispatch" as const, ref, sha, actor: request.actor, repository: repo.fullName, inputs, payload: { ref, inputs: inputs as JsonObject, repository } };
  return [await context.dispatcher.start(repo, repoPath, workflow, event)];
}
