/** Approval requests the caller can see: promotions and environment-gated jobs, their progress, approve and reject behind a confirmation. */

import { useState } from "react";
import { api, ApiError } from "../api";
import { Badge, ConfirmButton, Empty, ErrorBox, PageHeader } from "../components/ui";
import { ago } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";

interface Approval {
  id: number; repo: string; environment: string; kind: "promotion" | "job"; state: string; requester: string; execution: string | null; reason: string | null;
  payload: { service?: string; version?: string; runId?: number; jobName?: string; job?: string };
  reviews: Array<{ reviewer: string; decision: string; comment: string }>;
  progress?: { approvals: number; required: number; waitingFor: string[] };
  createdAt: number;
}

const states = ["pending", "approved", "rejected", "cancelled", "expired", "all"];

function what(approval: Approval) {
  if (approval.kind === "job") return <>job <Link to={`/runs/${approval.payload.runId}`}>{approval.payload.jobName ?? approval.payload.job}</Link></>;
  return <>{approval.payload.service} <code>{approval.payload.version}</code></>;
}

export default function ApprovalsPage() {
  const [state, setState] = useState("pending");
  const approvals = useApi<Approval[]>(`/approvals?limit=200${state === "all" ? "" : `&state=${state}`}`, { refreshOn: (event) => event.type.startsWith("approval.") });
  if (approvals.error instanceof ApiError && approvals.error.status === 404) return <><PageHeader title="Approvals" /><Empty>This server has no approvals.</Empty></>;
  const decide = (id: number, decision: "approve" | "reject") => api(`/approvals/${id}/${decision}`, { method: "POST", body: {} }).then(approvals.reload);
  return (
    <>
      <PageHeader title="Approvals" />
      <div className="filters">{states.map((value) => <button key={value} type="button" className={state === value ? "active" : ""} onClick={() => setState(value)}>{value}</button>)}</div>
      <ErrorBox error={approvals.error} />
      {approvals.data?.length === 0 ? <Empty>No {state === "all" ? "" : state} approval requests.</Empty> : null}
      <table className="history" data-testid="approvals">
        <thead><tr><th>#</th><th>What</th><th>Where</th><th>State</th><th>Requested</th><th>Reviews</th><th></th></tr></thead>
        <tbody>
          {(approvals.data ?? []).map((approval) => (
            <tr key={approval.id} data-approval={approval.id} data-state={approval.state}>
              <td>{approval.id}</td>
              <td>{what(approval)}</td>
              <td>{approval.environment} <span className="muted small">{approval.repo}</span></td>
              <td>
                <Badge status={approval.state} text={approval.execution ? `${approval.state} · ${approval.execution}` : approval.state} />
                {approval.progress?.waitingFor.length ? <div className="muted small">waiting for {approval.progress.waitingFor.join(", ")}</div> : null}
                {approval.reason ? <div className="muted small">{approval.reason}</div> : null}
              </td>
              <td>{approval.requester} <span className="muted small">{ago(approval.createdAt)}</span></td>
              <td className="small">{approval.reviews.map((review) => `${review.reviewer}: ${review.decision}`).join(", ") || "–"}</td>
              <td>
                {approval.state === "pending" ? (
                  <div className="actions">
                    <ConfirmButton label="Approve" className="small-button" title={`Approve #${approval.id}?`} description={<>Approve {what(approval)} for <code>{approval.environment}</code>.</>} onConfirm={() => decide(approval.id, "approve")} />
                    <ConfirmButton label="Reject" className="small-button" title={`Reject #${approval.id}?`} description="The action will not happen." onConfirm={() => decide(approval.id, "reject")} />
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
