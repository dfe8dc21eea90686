/** `slipway run --dry-run`: which workflows and jobs an event would run, and why the others would not. */

import type { Workflow } from "../../workflow/model";
import { planRun } from "../../workflow/plan";
import type { TriggerEvent } from "../../workflow/trigger-event";
import { printJson } from "../output";
import { styleFor } from "./style";

export interface DryRunCandidate {
  workflow: Workflow;
  event: TriggerEvent;
}

export function printDryRun(candidates: DryRunCandidate[], options: { json: boolean; onlyJob?: string }): number {
  const plans = candidates.map(({ workflow, event }) => {
    const plan = planRun(workflow, event, { github: { event_name: event.name, ref: event.ref, sha: event.sha, event: event.payload, repository: event.repository, actor: event.actor }, inputs: { ...(event.inputs ?? {}) }, vars: {}, env: {} });
    const jobs = options.onlyJob ? plan.jobs.filter((j) => j.id === options.onlyJob || plan.jobs.find((o) => o.id === options.onlyJob)?.needs.includes(j.id)) : plan.jobs;
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
      process.stdout.write(`    ${symbol} ${job.id}${matrix}${needs} — ${job.reason}\n`);
    }
  }
  return 0;
}
