/** `needs` checks: every name is another job of the workflow, and the jobs form no cycle. */

import { isString } from "@actions/workflow-parser";
import type { Diagnostic } from "../model";
import { diagnosticAt } from "./diagnostics";
import { entriesOf, entryOf, itemsOf, locationOf, type TemplateToken } from "./tokens";

interface NeedReference {
  job: string;
  need: string;
  token: TemplateToken;
}

export function checkNeeds(file: string, jobs: TemplateToken | undefined): Diagnostic[] {
  const jobIds = entriesOf(jobs).map(({ key }) => key);
  const known = new Set(jobIds);
  const diagnostics: Diagnostic[] = [];
  const edges: NeedReference[] = [];
  for (const reference of needReferences(jobs)) {
    const loc = locationOf(file, reference.token);
    if (reference.need === reference.job) {
      diagnostics.push(diagnosticAt(loc, "error", "needs-self", `job '${reference.job}' lists itself in needs`));
    } else if (!known.has(reference.need)) {
      diagnostics.push(
        diagnosticAt(loc, "error", "needs-unknown", `job '${reference.job}' needs '${reference.need}', which is not a job in this workflow (jobs: ${jobIds.join(", ")})`),
      );
    } else {
      edges.push(reference);
    }
  }
  for (const cycle of findCycles(jobIds, edges)) {
    const closing = edges.find((edge) => edge.job === cycle[0] && edge.need === cycle[1]);
    const loc = locationOf(file, closing?.token);
    diagnostics.push(diagnosticAt(loc, "error", "needs-cycle", `jobs need each other in a cycle: ${[...cycle, cycle[0]].join(" -> ")}`));
  }
  return diagnostics;
}

function needReferences(jobs: TemplateToken | undefined): NeedReference[] {
  return entriesOf(jobs).flatMap(({ key, value }) => {
    const needs = entryOf(value, "needs");
    const tokens = needs !== undefined && isString(needs) ? [needs] : itemsOf(needs);
    return tokens.flatMap((token) => (isString(token) ? [{ job: key, need: token.value, token }] : []));
  });
}

/** Each distinct cycle once, rotated to start at the job declared first. */
export function findCycles(jobIds: string[], edges: { job: string; need: string }[]): string[][] {
  const order = new Map(jobIds.map((id, i) => [id, i]));
  const neighbours = new Map<string, string[]>(jobIds.map((id) => [id, []]));
  for (const edge of edges) neighbours.get(edge.job)?.push(edge.need);
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const visit = (id: string): void => {
    state.set(id, "visiting");
    stack.push(id);
    for (const next of neighbours.get(id) ?? []) {
      if (state.get(next) === "visiting") {
        const cycle = stack.slice(stack.indexOf(next));
        const first = cycle.reduce((best, candidate) => ((order.get(candidate) ?? 0) < (order.get(best) ?? 0) ? candidate : best));
        const start = cycle.indexOf(first);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join("\u0000"), rotated);
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of jobIds) if (state.get(id) === undefined) visit(id);
  return [...cycles.values()];
}
