/** Job and step checks GitHub's parser does not make, or makes with a vaguer message: steps present, step ids unique. */

import { isMapping } from "@actions/workflow-parser";
import type { Diagnostic } from "../model";
import { diagnosticAt } from "./diagnostics";
import { entriesOf, entryOf, itemsOf, locationOf, stringOf, type TemplateToken } from "./tokens";

export function checkJobs(file: string, jobs: TemplateToken | undefined): Diagnostic[] {
  if (jobs !== undefined && isMapping(jobs) && jobs.count === 0) {
    return [diagnosticAt(locationOf(file, jobs), "error", "no-jobs", "the workflow has no jobs: add at least one under `jobs:`")];
  }
  return entriesOf(jobs).flatMap(({ key, keyToken, value }) => {
    if (entryOf(value, "uses") !== undefined) return [];
    const steps = itemsOf(entryOf(value, "steps"));
    if (steps.length === 0) {
      const message = `job '${key}' has no steps: add \`steps:\` with at least one \`run:\` or \`uses:\` step, or call a reusable workflow with \`uses:\``;
      return [diagnosticAt(locationOf(file, keyToken), "error", "no-steps", message)];
    }
    return checkStepIds(file, key, steps);
  });
}

function checkStepIds(file: string, job: string, steps: TemplateToken[]): Diagnostic[] {
  const firstUse = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  steps.forEach((step, index) => {
    const idToken = entryOf(step, "id");
    const id = stringOf(idToken);
    if (id === undefined) return;
    const earlier = firstUse.get(id.toLowerCase());
    if (earlier === undefined) {
      firstUse.set(id.toLowerCase(), index);
      return;
    }
    const message = `step id '${id}' is already used by jobs.${job}.steps[${earlier}]; step ids must be unique within a job`;
    diagnostics.push(diagnosticAt(locationOf(file, idToken), "error", "duplicate-step-id", message));
  });
  return diagnostics;
}
