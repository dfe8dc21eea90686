/** An Application: resource tree with health, the diff of out-of-sync objects, sync history, sync now and rollback. */

import { api, ApiError, enc } from "../api";
import { Badge, ConfirmButton, ErrorBox, Loading, PageHeader } from "../components/ui";
import { ago, duration, short } from "../format";
import { useApi } from "../hooks";
import { useLocation } from "../router";
import type { AppDetails, Resource, SyncRecord } from "../types";

function ResourceTree({ app, resources }: { app: string; resources: Resource[] }) {
  const byKind = new Map<string, Resource[]>();
  for (const resource of resources) byKind.set(resource.kind, [...(byKind.get(resource.kind) ?? []), resource]);
  return (
    <ul className="tree" data-testid="resource-tree">
      <li>
        <strong>Application {app}</strong>
        <ul>
          {[...byKind].map(([kind, items]) => (
            <li key={kind}>
              {kind}
              <ul>{items.map((r) => <li key={`${r.kind}/${r.name}`}><Badge status={r.health} text={r.health} /> {r.name} <span className="muted">{r.namespace}{r.message ? ` · ${r.message}` : ""}</span></li>)}</ul>
            </li>
          ))}
        </ul>
      </li>
    </ul>
  );
}

export default function AppDetailPage({ params }: { params: Record<string, string> }) {
  const { search } = useLocation();
  const repo = search.get("repo");
  const query = repo ? `?repo=${enc(repo)}` : "";
  const name = params.name ?? "";
  const refreshOn = (event: { app?: string; type: string }) => event.app === name;
  const app = useApi<AppDetails>(`/apps/${enc(name)}${query}`, { refreshOn, pollMs: 5000 });
  const syncs = useApi<SyncRecord[] | { syncs: SyncRecord[] }>(`/apps/${enc(name)}/syncs${query}`, { refreshOn });
  const data = app.data;
  const history: SyncRecord[] = syncs.data ? (Array.isArray(syncs.data) ? syncs.data : syncs.data.syncs ?? []) : data?.history ?? [];
  const syncsMissing = syncs.error instanceof ApiError && syncs.error.status === 404;
  const rollback = (revision: string) => api(`/apps/${enc(name)}/rollback${query}`, { method: "POST", body: { revision } }).then(app.reload);
  return (
    <>
      <PageHeader title={`Application ${name}`}>
        {data ? <><Badge status={data.health} text={data.health} /><Badge status={data.sync} text={data.sync} />{data.operation !== "Idle" ? <Badge status={data.operation} text={data.operation} /> : null}</> : null}
        {data ? <ConfirmButton label="Sync now" title={`Sync ${name} now?`} description="Applies the env repo's current revision." onConfirm={() => api(`/apps/${enc(name)}/sync${query}`, { method: "POST" }).then(app.reload)} /> : null}
      </PageHeader>
      <ErrorBox error={app.error} />
      <Loading when={app.loading && !data} />
      {data ? (
        <>
          <p className="muted">
            {data.repo} · <code>{data.path}</code> · namespace {data.namespace} · running <span className="mono">{short(data.syncedRevision)}</span>, git at <span className="mono">{short(data.targetRevision)}</span>
            {data.ingressUrl ? <> · <a href={data.ingressUrl}>{data.ingressUrl}</a></> : null}
          </p>
          {data.healthMessage ? <div className="notice">{data.healthMessage}</div> : null}
          <div className="grid-2">
            <section className="card"><h2>Resources</h2><ResourceTree app={name} resources={data.resources} /></section>
            <section className="card">
              <h2>Diff</h2>
              {data.diff.length ? <pre className="diff" data-testid="app-diff">{data.diff.join("\n")}</pre> : <p className="muted">In sync with git.</p>}
            </section>
          </div>
          <section className="card">
            <h2>Sync history</h2>
            {!syncsMissing ? <ErrorBox error={syncs.error} /> : null}
            <table className="history" data-testid="sync-history">
              <thead><tr><th>#</th><th>Result</th><th>Revision</th><th>Trigger</th><th>Started</th><th>Took</th><th></th></tr></thead>
              <tbody>
                {history.map((record, index) => (
                  <tr key={record.id} data-result={record.result ?? "Running"}>
                    <td>{record.id}</td>
                    <td><Badge status={record.result ?? "running"} text={record.result ?? "Running"} />{record.message ? <div className="muted small">{record.message}</div> : null}</td>
                    <td className="mono">{short(record.revision)}{record.rolledBackTo ? ` → ${short(record.rolledBackTo)}` : ""}</td>
                    <td>{record.trigger.kind}{record.trigger.by ? ` by ${record.trigger.by}` : ""}</td>
                    <td>{ago(record.startedAt)}</td>
                    <td>{duration(record.durationMs)}</td>
                    <td>
                      {record.result === "Succeeded" && index > 0 && record.revision !== data.syncedRevision ? (
                        <ConfirmButton label="Roll back here" className="small-button" title={`Roll ${name} back to ${short(record.revision)}?`}
                          description="Commits a revert to the env repo and syncs that revision." onConfirm={() => rollback(record.revision)} />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </>
  );
}
