/** The jobs of a workflow as a DAG: a stable topological order, dependents, cycles and transitive needs. */

import type { JobDefinition } from "../model";

export interface JobGraph {
  /** Jobs in an order where every job comes after what it needs; independents keep declaration order. */
  order: string[];
  /** Job id → the ids of the jobs that need it, in declaration order. */
  dependents: Map<string, string[]>;
  /** One dependency cycle as a path back to its start, e.g. `["a", "b", "a"]`; jobs in or after it are not in `order`. */
  cycle?: string[];
}

/** Needs that name no job of the workflow are left to lint and ignored here. */
function knownNeeds(job: JobDefinition, ids: ReadonlySet<string>): string[] {
  return [...new Set(job.needs)].filter((need) => ids.has(need));
}

function findCycle(jobs: JobDefinition[], remaining: ReadonlySet<string>, ids: ReadonlySet<string>): string[] | undefined {
  const needsOf = new Map(jobs.map((job) => [job.id, knownNeeds(job, ids)]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const need of needsOf.get(id) ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const job of jobs) {
    if (!remaining.has(job.id)) continue;
    const cycle = visit(job.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Kahn's algorithm that always takes the earliest-declared ready job, so the order is stable and readable. */
export function planJobGraph(jobs: JobDefinition[]): JobGraph {
  const ids = new Set(jobs.map((job) => job.id));
  const dependents = new Map<string, string[]>(jobs.map((job) => [job.id, []]));
  const pendingNeeds = new Map<string, number>();
  for (const job of jobs) {
    const needs = knownNeeds(job, ids);
    pendingNeeds.set(job.id, needs.length);
    for (const need of needs) dependents.get(need)?.push(job.id);
  }
  const order: string[] = [];
  const remaining = new Set(ids);
  for (;;) {
    const ready = jobs.find((job) => remaining.has(job.id) && pendingNeeds.get(job.id) === 0);
    if (!ready) break;
    remaining.delete(ready.id);
    order.push(ready.id);
    for (const dependent of dependents.get(ready.id) ?? []) {
      pendingNeeds.set(dependent, (pendingNeeds.get(dependent) ?? 0) - 1);
    }
  }
  const graph: JobGraph = { order, dependents };
  if (remaining.size > 0) graph.cycle = findCycle(jobs, remaining, ids);
  return graph;
}

/** Every job `jobId` needs directly or indirectly, in declaration order. */
export function transitiveNeeds(jobs: JobDefinition[], jobId: string): string[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const found = new Set<string>();
  const stack = [...(byId.get(jobId)?.needs ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (found.has(id) || !byId.has(id)) continue;
    found.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  found.delete(jobId);
  return jobs.map((job) => job.id).filter((id) => found.has(id));
}
