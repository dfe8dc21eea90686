/** A pull request: checks (live), reviews, merge blockers; approve, request changes, merge (behind a confirmation). */

import { api, enc } from "../api";
import { Badge, ConfirmButton, ErrorBox, Loading, PageHeader } from "../components/ui";
import { ago, short } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { PullRequest } from "../types";

export default function PullPage({ params }: { params: Record<string, string> }) {
  const full = `${params.owner}/${params.name}`;
  const path = `/repos/${enc(params.owner ?? "")}/${enc(params.name ?? "")}/pulls/${enc(params.number ?? "")}`;
  const pr = useApi<PullRequest>(path, { refreshOn: (event) => event.repo === full && ["run.created", "run.completed", "job.updated", "push.received"].includes(event.type) });
  const data = pr.data;
  const review = (event: "approve" | "request_changes") => api(`${path}/reviews`, { method: "POST", body: { event } }).then(pr.reload);
  const merge = () => api(`${path}/merge`, { method: "PUT", body: { method: "merge" } }).then(pr.reload);
  return (
    <>
      <PageHeader title={data ? <>#{data.number} {data.title}</> : `Pull request #${params.number}`}>
        {data ? <Badge status={data.state} text={data.state} /> : null}
      </PageHeader>
      <ErrorBox error={pr.error} />
      <Loading when={pr.loading && !data} />
      {data ? (
        <div className="grid-2">
          <section className="card">
            <p className="muted">
              <Link to={`/repos/${full}`}>{full}</Link> · {data.author} wants to merge <code>{data.sourceBranch}</code> into <code>{data.targetBranch}</code> · head <span className="mono">{short(data.headSha)}</span> · {ago(data.createdAt)}
            </p>
            {data.body ? <pre className="body">{data.body}</pre> : null}
            <h2>Checks</h2>
            {data.checks?.length ? (
              <ul className="list" data-testid="checks">
                {data.checks.map((check) => (
                  <li key={check.id} data-check={check.name} data-state={check.conclusion ?? check.status}>
                    <Badge status={check.status} conclusion={check.conclusion} />
                    {check.runId ? <Link to={`/runs/${check.runId}`}>{check.name}</Link> : <span>{check.name}</span>}
                  </li>
                ))}
              </ul>
            ) : <p className="muted">No checks reported for this commit yet.</p>}
            <h2>Reviews</h2>
            {data.reviews?.length ? (
              <ul className="list">
                {data.reviews.map((r) => <li key={r.id}><Badge status={r.state} text={r.state.replace("_", " ")} /> {r.reviewer}{r.dismissed ? " (dismissed)" : ""} <span className="muted">{r.body} · {ago(r.createdAt)}</span></li>)}
              </ul>
            ) : <p className="muted">No reviews yet.</p>}
          </section>
          <aside className="card">
            <h2>Merge</h2>
            {data.state === "open" ? (
              <>
                {data.mergeBlockers?.length ? (
                  <ul className="blockers" data-testid="merge-blockers">{data.mergeBlockers.map((blocker) => <li key={blocker}>{blocker}</li>)}</ul>
                ) : <p className="ok-text" data-testid="mergeable">Ready to merge.</p>}
                <div className="actions">
                  <ConfirmButton label="Approve" title="Approve this pull request?" description={<>Approve #{data.number} at {short(data.headSha)}.</>} onConfirm={() => review("approve")} />
                  <ConfirmButton label="Request changes" title="Request changes?" description={<>Block #{data.number} until it changes.</>} onConfirm={() => review("request_changes")} />
                  <ConfirmButton label="Merge" className="primary" disabled={!data.mergeable} title="Merge this pull request?"
                    description={<>Merge <code>{data.sourceBranch}</code> into <code>{data.targetBranch}</code>. This pushes to {data.targetBranch} and starts its workflows.</>} onConfirm={merge} />
                </div>
              </>
            ) : data.state === "merged" ? <p>Merged as <span className="mono">{short(data.mergedSha)}</span>.</p> : <p>Closed.</p>}
          </aside>
        </div>
      ) : null}
    </>
  );
}
