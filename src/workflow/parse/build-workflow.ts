/** The validated root token → Workflow. */

import type { Workflow } from "../model";
import { buildJobs, concurrencyOf, runDefaultsOf } from "./build-jobs";
import { buildTriggers } from "./build-triggers";
import { entryOf, stringOf, templateValueOf, templateValueOr, type TemplateToken } from "./tokens";

export function buildWorkflow(file: string, root: TemplateToken): Workflow {
  const workflow: Workflow = {
    file,
    name: stringOf(entryOf(root, "name")) || file,
    on: buildTriggers(file, entryOf(root, "on")),
    env: templateValueOr(file, entryOf(root, "env"), {}),
    defaults: runDefaultsOf(entryOf(root, "defaults")),
    jobs: buildJobs(file, entryOf(root, "jobs")),
  };
  const runName = entryOf(root, "run-name");
  if (runName !== undefined) workflow.runName = templateValueOf(file, runName);
  const concurrency = entryOf(root, "concurrency");
  if (concurrency !== undefined) {
    const { group, cancelInProgress } = concurrencyOf(file, concurrency);
    // Same normalised shape as a job's ConcurrencyDefinition.
    workflow.concurrency = { group, cancelInProgress };
  }
  return workflow;
}
