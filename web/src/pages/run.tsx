/** One run: its jobs as a live DAG (state colours, durations), each job's steps, cancel. */

import { lazy, Suspense, useEffect, useState } from "react";
import { api } from "../api";
import { Badge, ConfirmButton, ErrorBox, Loading, PageHeader } from "../components/ui";
import { ago, short, span } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { Run } from "../types";

const RunGraph = lazy(() => import("../components/run-graph"));

export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [active]);
  return now;
}

interface JobApproval { id: number; environment: string; state: string; requester: string; payload: { runId?: number; job?: string; jobName?: string } }

/** Jobs of this run waiting for an environment's approval, with approve and reject behind a confirmation. */
function PendingJobApprovals({ runId, repo }: { runId: number; repo: string }) {
  const approvals = useApi<JobApproval[]>(`/approvals?state=pending&kind=job&repo=${encodeURIComponent(repo)}`, { refreshOn: (event) => event.type.startsWith("approval.") });
  const mine = (approvals.data ?? []).filter((approval) => approval.payload.runId === runId);
  if (mine.length === 0) return null;
  const decide = (id: number, decision: "approve" | "reject") => api(`/approvals/${id}/${decision}`, { method: "POST", body: {} }).then(approvals.reload);
  return (
    <div className="notice" data-testid="job-approvals">
      {mine.map((approval) => (
        <div key={approval.id} className="actions">
          <span>Waiting: <strong>{approval.payload.jobName ?? approval.payload.job}</strong> waits for approval to deploy to <code>{approval.environment}</code> (requested by {approval.requester})</span>
          <ConfirmButton label="Approve" className="small-button" title={`Approve deploying to ${approval.environment}?`} description="The job starts once the environment's rules are met." onConfirm={() => decide(approval.id, "approve")} />
          <ConfirmButton label="Reject" className="small-button" title="Reject this deployment?" description="The job fails without running." onConfirm={() => decide(approval.id, "reject")} />
        </div>
      ))}
    </div>
  );
}

export default function RunPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const run = useApi<Run>(`/runs/${id}`, { refreshOn: (event) => event.runId === id });
  const data = run.data;
  const now = useNow(data?.status !== "completed");
  return (
    <>
      <PageHeader title={data ? `${data.workflowName} #${data.runNumber}` : `Run ${id}`}>
        {data ? <span data-testid="run-state" data-state={data.conclusion ?? data.status}><Badge status={data.status} conclusion={data.conclusion} /></span> : null}
        {data && data.status !== "completed" ? <ConfirmButton label="Cancel run" title="Cancel this run?" description="Running steps are stopped; the run is recorded as cancelled." onConfirm={() => api(`/runs/${id}/cancel`, { method: "POST" })} /> : null}
      </PageHeader>
      <ErrorBox error={run.error} />
      <Loading when={run.loading && !data} />
      {data ? (
        <>
          <p className="muted">
            <Link to={`/repos/${data.repo}?tab=runs`}>{data.repo}</Link> · {data.event} on <code>{data.ref.replace(/^refs\/heads\//, "")}</code> · <span className="mono">{short(data.sha)}</span> · {data.actor} · {ago(data.createdAt)} · {span(data.startedAt, data.completedAt, now)}
          </p>
          {data.error ? <div className="error">{data.error}</div> : null}
          {data.status !== "completed" ? <PendingJobApprovals runId={id} repo={data.repo} /> : null}
          <Suspense fallback={<div className="run-graph muted">Loading graph…</div>}>
            <RunGraph jobs={data.jobs ?? []} runId={id} now={now} />
          </Suspense>
          <div className="jobs">
            {(data.jobs ?? []).map((job) => (
              <section key={job.id} className="card job-card" data-job={job.jobKey}>
                <header>
                  <Badge status={job.status} conclusion={job.conclusion} />
                  <Link to={`/runs/${id}/jobs/${job.id}`}><strong>{job.name}</strong></Link>
                  <span className="muted">{span(job.startedAt, job.completedAt, now)}{job.environment ? ` · environment ${job.environment}` : ""}</span>
                </header>
                {job.error ? <div className={job.conclusion === "skipped" ? "notice" : "error"}>{job.error}</div> : null}
                <ol className="steps">
                  {job.steps.map((step) => (
                    <li key={step.id}><Badge status={step.status} conclusion={step.conclusion} /> {step.name} <span className="muted">{span(step.startedAt, step.completedAt, now)}</span></li>
                  ))}
                </ol>
              </section>
            ))}
          </div>
        </>
      ) : null}
    </>
  );
}
