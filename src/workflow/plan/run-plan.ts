/** The plan of a run before it starts: whether the event triggers it, and for each job whether it will run and its matrix. */

import { SlipwayError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import {
  evaluateCondition,
  evaluateTemplate,
  expressionReferences,
  templateReferences,
  type ExpressionContexts,
  type ExpressionReferences,
} from "../expressions";
import type { JobDefinition, Workflow } from "../model";
import type { TriggerEvent } from "../trigger-event";
import { matchTrigger } from "../triggers";
import { planJobGraph } from "./job-graph";
import { expandMatrix } from "./matrix";

export type WillRun = "yes" | "no" | "depends";

export interface PlannedJob {
  id: string;
  needs: string[];
  /** The normalised `if`, e.g. `success() && (github.ref == 'refs/heads/main')`. */
  condition: string;
  /** yes: runs when what it needs succeeds; no: is skipped; depends: known only during the run. */
  willRun: WillRun;
  reason: string;
  /** The expanded combinations, or "dynamic" when the matrix needs values known only during the run. */
  matrix?: JsonObject[] | "dynamic";
}

export interface RunPlan {
  triggered: boolean;
  reason: string;
  jobs: PlannedJob[];
}

/** Contexts whose values are known before any job runs. */
const staticContexts: ReadonlySet<string> = new Set(["github", "inputs", "vars", "env"]);
/** Functions that can be decided before the run; other status functions and hashFiles cannot. */
const dynamicFunctions: ReadonlySet<string> = new Set(["failure", "cancelled", "hashfiles"]);

/** Why references can't be evaluated before the run, or undefined when they can. */
function dynamicReason(references: ExpressionReferences): string | undefined {
  const contexts = [...references.contexts].filter((name) => !staticContexts.has(name));
  if (contexts.length > 0) return `uses the ${contexts.join(", ")} context${contexts.length > 1 ? "s" : ""}`;
  const functions = [...references.functions].filter((name) => dynamicFunctions.has(name));
  if (functions.length > 0) return `uses ${functions.map((name) => `${name}()`).join(", ")}`;
  return undefined;
}

function conditionHolds(job: JobDefinition, contexts: ExpressionContexts, upstreamSucceeded: boolean): boolean {
  const status = { success: () => upstreamSucceeded, failure: () => false, cancelled: () => false };
  return evaluateCondition(job.if, contexts, { status });
}

function decideJob(job: JobDefinition, contexts: ExpressionContexts, planned: ReadonlyMap<string, PlannedJob>): Pick<PlannedJob, "willRun" | "reason"> {
  const dynamic = dynamicReason(expressionReferences(job.if));
  if (dynamic) return { willRun: "depends", reason: `the condition ${dynamic}` };
  const needs = job.needs.map((id) => planned.get(id));
  const skippedNeed = job.needs.find((_id, index) => needs[index]?.willRun === "no");
  const uncertainNeed = job.needs.find((_id, index) => needs[index]?.willRun === "depends");
  if (skippedNeed === undefined && uncertainNeed === undefined) {
    return conditionHolds(job, contexts, true)
      ? { willRun: "yes", reason: "the condition holds" }
      : { willRun: "no", reason: "the condition is false" };
  }
  const whenNeedsSkipped = conditionHolds(job, contexts, false);
  if (skippedNeed !== undefined) {
    return whenNeedsSkipped
      ? { willRun: "yes", reason: `the condition holds even though ${skippedNeed} is skipped` }
      : { willRun: "no", reason: `needs ${skippedNeed}, which is skipped` };
  }
  const whenNeedsSucceed = conditionHolds(job, contexts, true);
  if (whenNeedsSkipped === whenNeedsSucceed) {
    return whenNeedsSucceed ? { willRun: "yes", reason: "the condition holds" } : { willRun: "no", reason: "the condition is false" };
  }
  return { willRun: "depends", reason: `depends on whether ${uncertainNeed} runs` };
}

function planMatrix(job: JobDefinition, contexts: ExpressionContexts): JsonObject[] | "dynamic" | undefined {
  const matrix = job.strategy?.matrix;
  if (matrix === undefined) return undefined;
  if (dynamicReason(templateReferences(matrix))) return "dynamic";
  try {
    return expandMatrix(evaluateTemplate(matrix, contexts));
  } catch (error) {
    if (error instanceof SlipwayError) {
      throw new SlipwayError(error.code, `job "${job.id}": ${error.message}`, { cause: error, details: error.details });
    }
    throw error;
  }
}

/** Plans a run for `--dry-run` and for the engine: trigger decision, job order, static `if`s and matrices. */
export function planRun(workflow: Workflow, event: TriggerEvent, contexts: ExpressionContexts): RunPlan {
  const trigger = matchTrigger(workflow, event);
  const graph = planJobGraph(workflow.jobs);
  if (graph.cycle) {
    throw new SlipwayError("WORKFLOW_INVALID", `${workflow.file}: jobs need each other in a cycle: ${graph.cycle.join(" → ")}`);
  }
  const byId = new Map(workflow.jobs.map((job) => [job.id, job]));
  const planned = new Map<string, PlannedJob>();
  for (const id of graph.order) {
    const job = byId.get(id) as JobDefinition;
    const base = { id, needs: [...job.needs], condition: job.if };
    // An untriggered workflow reports its jobs without evaluating anything.
    const matrix = trigger.matched ? planMatrix(job, contexts) : undefined;
    const unknownNeed = job.needs.find((need) => !byId.has(need));
    let decision: Pick<PlannedJob, "willRun" | "reason">;
    if (!trigger.matched) decision = { willRun: "no", reason: "the workflow is not triggered" };
    else if (unknownNeed !== undefined) decision = { willRun: "no", reason: `needs ${unknownNeed}, which is not a job of this workflow` };
    else decision = decideJob(job, contexts, planned);
    planned.set(id, { ...base, ...decision, ...(matrix === undefined ? {} : { matrix }) });
  }
  return { triggered: trigger.matched, reason: trigger.reason, jobs: graph.order.map((id) => planned.get(id) as PlannedJob) };
}
