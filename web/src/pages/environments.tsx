/** The environments board: services × environments, each cell the running version, health and sync; promote and approve behind a confirmation. */

import { api, ApiError } from "../api";
import { Badge, ConfirmButton, Empty, ErrorBox, Loading, PageHeader } from "../components/ui";
import { ago, short } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { EnvironmentBoard, EnvironmentCell } from "../types";

interface Approval {
  id: number; repo: string; environment: string; kind: string; state: string; requester: string;
  payload: { service?: string; version?: string; image?: string }; progress?: { approvals?: number; required?: number };
}

/** `127.0.0.1:7700/acme/shop/web:v1.2.0` → `127.0.0.1:7700/acme/shop/web`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

const refreshTypes = ["sync.", "rollback", "approval.", "health.", "deploy"];

export default function EnvironmentsPage() {
  const board = useApi<EnvironmentBoard>("/environments", { refreshOn: (event) => refreshTypes.some((prefix) => event.type.startsWith(prefix)), pollMs: 10_000 });
  const approvals = useApi<Approval[]>("/approvals?state=pending", { refreshOn: (event) => event.type.startsWith("approval.") });
  const approvalsAvailable = !(approvals.error instanceof ApiError && approvals.error.status === 404);
  const data = board.data;
  const cell = (service: string, environment: string) => data?.cells.find((c) => c.service === service && c.environment === environment);
  const reload = () => {
    board.reload();
    approvals.reload();
  };
  return (
    <>
      <PageHeader title="Environments" />
      <ErrorBox error={board.error} />
      <Loading when={board.loading && !data} />
      {data && data.cells.length === 0 ? <Empty>No Applications yet: push an environment repo with apps/*.yaml.</Empty> : null}
      {data && data.cells.length > 0 ? (
        <div className="board-scroll">
          <table className="board" data-testid="environments-board">
            <thead>
              <tr><th>Service</th>{data.environments.map((env) => <th key={env}>{env}</th>)}</tr>
            </thead>
            <tbody>
              {data.services.map((service) => (
                <tr key={service}>
                  <th scope="row">{service}</th>
                  {data.environments.map((env, index) => {
                    const here = cell(service, env);
                    const next = data.environments[index + 1];
                    const pendingFor = (target: string | undefined) => (approvals.data ?? []).filter((a) => a.environment === target && a.payload.service === service && a.state === "pending");
                    const pending = pendingFor(env);
                    return (
                      <td key={env} data-cell={`${service}/${env}`}>
                        {here ? <Cell cell={here} next={next} nextCell={next ? cell(service, next) : undefined} approvalsAvailable={approvalsAvailable} awaiting={pendingFor(next).length > 0} onChange={reload} /> : <span className="muted">—</span>}
                        {pending.map((approval) => <PendingApproval key={approval.id} approval={approval} onChange={reload} />)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function Cell({ cell, next, nextCell, approvalsAvailable, awaiting, onChange }: {
  cell: EnvironmentCell; next?: string; nextCell?: EnvironmentCell; approvalsAvailable: boolean; awaiting: boolean; onChange: () => void;
}) {
  const image = cell.images[0];
  // One promotion at a time: none while the next environment already waits for an approval.
  const canPromote = Boolean(next && nextCell && cell.version && image && approvalsAvailable && nextCell.version !== cell.version && !awaiting);
  const promote = () =>
    api("/approvals", {
      method: "POST",
      body: { repo: nextCell?.repo ?? cell.repo, environment: next, kind: "promotion", payload: { service: cell.service, version: cell.version, image: imageRepository(image ?? "") } },
    }).then(onChange);
  return (
    <div className="cell" data-version={cell.version ?? ""} data-health={cell.health} data-sync={cell.sync}>
      <Link to={`/apps/${cell.app}?repo=${cell.repo}`} className="version">{cell.version ?? "no version"}</Link>
      <div className="cell-badges">
        <Badge status={cell.health} text={cell.health} />
        <Badge status={cell.operation !== "Idle" ? cell.operation : cell.sync} text={cell.operation !== "Idle" ? cell.operation : cell.sync} />
      </div>
      <div className="muted small">{short(cell.syncedRevision)} · {cell.lastResult ?? "never synced"} {ago(cell.lastSyncAt)}</div>
      {canPromote ? (
        <ConfirmButton label={`Promote to ${next}`} className="small-button" title={`Promote ${cell.service} ${cell.version} to ${next}?`}
          description={<>This commits <code>{imageRepository(image ?? "")}:{cell.version}</code> to <code>{next}</code> in {nextCell?.repo}. A protected environment waits for approval first.</>}
          onConfirm={promote} />
      ) : null}
    </div>
  );
}

function PendingApproval({ approval, onChange }: { approval: Approval; onChange: () => void }) {
  return (
    <div className="pending" data-approval={approval.id}>
      <span><strong>Pending:</strong> {approval.payload.version} awaits approval ({approval.progress?.approvals ?? 0}/{approval.progress?.required ?? 1}) · by {approval.requester}</span>
      <ConfirmButton label="Approve" className="small-button" title={`Approve ${approval.payload.service} ${approval.payload.version} to ${approval.environment}?`}
        description={<>Once approved, the server commits the promotion to {approval.repo} and the environment syncs.</>}
        onConfirm={() => api(`/approvals/${approval.id}/approve`, { method: "POST", body: {} }).then(onChange)} />
      <ConfirmButton label="Reject" className="small-button" title="Reject this promotion?" description="The promotion will not happen."
        onConfirm={() => api(`/approvals/${approval.id}/reject`, { method: "POST", body: {} }).then(onChange)} />
    </div>
  );
}
