/** A run's jobs as a left-to-right DAG (@xyflow/react): columns by `needs` depth, colours by state, live durations. */

import { Background, ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useMemo } from "react";
import { label, span, stateClass } from "../format";
import { navigate } from "../router";
import type { Job } from "../types";

const columnWidth = 230;
const rowHeight = 76;

/** Column of each job: 0 for no needs, else 1 + the deepest job it needs (matrix jobs share their job id). */
export function jobColumns(jobs: Job[]): Map<number, number> {
  const byJobId = new Map<string, Job[]>();
  for (const job of jobs) byJobId.set(job.jobId, [...(byJobId.get(job.jobId) ?? []), job]);
  const columns = new Map<number, number>();
  const visit = (job: Job, path: Set<number>): number => {
    const known = columns.get(job.id);
    if (known !== undefined) return known;
    if (path.has(job.id)) return 0;
    path.add(job.id);
    let column = 0;
    for (const need of job.needs) for (const needed of byJobId.get(need) ?? []) column = Math.max(column, visit(needed, path) + 1);
    columns.set(job.id, column);
    return column;
  };
  for (const job of jobs) visit(job, new Set());
  return columns;
}

export default function RunGraph({ jobs, runId, now }: { jobs: Job[]; runId: number; now: number }) {
  const { nodes, edges, height } = useMemo(() => {
    const columns = jobColumns(jobs);
    const perColumn = new Map<number, number>();
    const nodes: Node[] = jobs.map((job) => {
      const column = columns.get(job.id) ?? 0;
      const row = perColumn.get(column) ?? 0;
      perColumn.set(column, row + 1);
      const state = stateClass(job.status, job.conclusion);
      return {
        id: String(job.id),
        position: { x: column * columnWidth, y: row * rowHeight },
        data: {
          label: (
            <div className="job-node" data-state={state} data-job={job.jobKey}>
              <strong>{job.name}</strong>
              <span>{label(job.status, job.conclusion)} · {span(job.startedAt, job.completedAt, now)}</span>
            </div>
          ),
        },
        className: `flow-job ${state}`,
        draggable: false,
        connectable: false,
      };
    });
    const byJobId = new Map<string, Job[]>();
    for (const job of jobs) byJobId.set(job.jobId, [...(byJobId.get(job.jobId) ?? []), job]);
    const edges: Edge[] = jobs.flatMap((job) =>
      job.needs.flatMap((need) => (byJobId.get(need) ?? []).map((from) => ({ id: `${from.id}-${job.id}`, source: String(from.id), target: String(job.id), animated: job.status === "in_progress" }))),
    );
    const height = Math.max(...[...perColumn.values(), 1]) * rowHeight + 40;
    return { nodes, edges, height };
  }, [jobs, now]);

  return (
    <div className="run-graph" style={{ height: Math.min(height, 480) }} data-testid="run-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
        nodesDraggable={false}
        nodesConnectable={false}
        proOptions={{ hideAttribution: true }}
        onNodeClick={(_event, node) => navigate(`/runs/${runId}/jobs/${node.id}`)}
        minZoom={0.3}
      >
        <Background gap={24} size={1} />
      </ReactFlow>
    </div>
  );
}
