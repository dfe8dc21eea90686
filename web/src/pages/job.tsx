/** One job's live log. */

import { LogView } from "../components/log-view";
import { Badge, ErrorBox, PageHeader } from "../components/ui";
import { span } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { Run } from "../types";

export default function JobPage({ params }: { params: Record<string, string> }) {
  const runId = Number(params.id);
  const jobId = Number(params.job);
  const run = useApi<Run>(`/runs/${runId}`, { refreshOn: (event) => event.runId === runId && (event.type === "job.updated" || event.type === "run.completed") });
  const job = run.data?.jobs?.find((candidate) => candidate.id === jobId);
  return (
    <>
      <PageHeader title={job ? job.name : `Job ${jobId}`}>
        {job ? <Badge status={job.status} conclusion={job.conclusion} /> : null}
        {run.data ? <Link to={`/runs/${runId}`}>{run.data.workflowName} #{run.data.runNumber}</Link> : null}
        {job ? <span className="muted">{span(job.startedAt, job.completedAt)}</span> : null}
      </PageHeader>
      <ErrorBox error={run.error} />
      {run.data ? <LogView runId={runId} jobId={jobId} running={job ? job.status !== "completed" : false} /> : null}
    </>
  );
}
