/** Runs as a virtualised table (thousands of rows stay fast): state, workflow, number, ref, commit, actor, duration, age. */

import { ago, short, span } from "../format";
import { Link } from "../router";
import type { Run } from "../types";
import { Badge } from "./ui";
import { VirtualList } from "./virtual-list";

export function RunsTable({ runs, showRepo = true, now }: { runs: Run[]; showRepo?: boolean; now: number }) {
  const renderRow = (index: number) => {
    const run = runs[index] as Run;
    return (
      <div className="run-row" data-run={run.id}>
        <Badge status={run.status} conclusion={run.conclusion} />
        <Link to={`/runs/${run.id}`} className="run-title">{run.workflowName} #{run.runNumber}</Link>
        {showRepo ? <span className="muted hide-narrow">{run.repo}</span> : null}
        <span className="mono hide-narrow">{run.ref.replace(/^refs\/(heads|tags)\//, "")}</span>
        <span className="mono">{short(run.sha)}</span>
        <span className="hide-narrow">{run.event} · {run.actor}</span>
        <span>{span(run.startedAt, run.completedAt, now)}</span>
        <span className="muted">{ago(run.createdAt)}</span>
      </div>
    );
  };
  return <VirtualList count={runs.length} rowHeight={40} height={`min(70vh, ${Math.max(runs.length, 1) * 40 + 4}px)`} renderRow={renderRow} className="runs-table" label="runs" />;
}
