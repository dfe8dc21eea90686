/** `slipway run --dry-run`: which workflows and jobs an event would run, and why the others would not. */

import type { Workflow } from "../../workflow/model";
import { planRun, transitiveNeeds } from "../../workflow/plan";
import type { TriggerEvent } from "../../workflow/trigger-event";
import { printJson } from "../output";
import { styleFor } from "./style";

export interface DryRunCandidate {
  workflow: Workflow;
  event: TriggerEvent;
}

export function printDryRun(candidates: DryRunCandidate[], options: { json: boolean; onlyJob?: string; vars?: Record<string, string> }): number {
  const plans = candidates.map(({ workflow, event }) => {
    const github = { event_name: event.name, ref: event.ref, sha: event.sha, event: event.payload, repository: event.repository, actor: event.actor };
    const plan = planRun(workflow, event, { github, inputs: { ...(event.inputs ?? {}) }, vars: { ...(options.vars ?? {}) }, env: {} });
    // --job runs the job and everything it needs, directly or not: show exactly those.
    const onlyJob = options.onlyJob;
    const keep = onlyJob ? new Set([onlyJob, ...transitiveNeeds(workflow.jobs, onlyJob)]) : undefined;
    const jobs = keep ? plan.jobs.filter((j) => keep.has(j.id)) : plan.jobs;
    return { workflow: workflow.file, name: workflow.name, event: event.name, ref: event.ref, sha: event.sha, triggered: plan.triggered, reason: plan.reason, jobs };
  });
  if (options.json) {
    printJson(plans);
    return 0;
  }
  const style = styleFor(process.stdout);
  for (const plan of plans) {
    const head = `${style.bold(plan.workflow)} (${plan.name})`;
    if (!plan.triggered) {
      process.stdout.write(`${style.dim("–")} ${head}: not triggered — ${plan.reason}\n`);
      continue;
    }
    process.stdout.write(`${style.green("▶")} ${head}: ${plan.reason}\n`);
    for (const job of plan.jobs) {
      const symbol = job.willRun === "yes" ? style.green("✓") : job.willRun === "no" ? style.dim("–") : style.yellow("?");
      const matrix = Array.isArray(job.matrix) ? ` [${job.matrix.length} matrix job${job.matrix.length === 1 ? "" : "s"}]` : job.matrix === "dynamic" ? " [matrix known at run time]" : "";
      const needs = job.needs.length > 0 ? style.dim(` needs ${job.needs.join(", ")}`) : "";
      const condition = job.willRun === "no" && job.reason === "the condition is false" ? style.dim(` (if: ${job.condition})`) : "";
      process.stdout.write(`    ${symbol} ${job.id}${matrix}${needs} — ${job.reason}${condition}\n`);
    }
  }
  return 0;
}
