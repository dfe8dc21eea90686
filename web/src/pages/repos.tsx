/** Repositories the caller can see, with their latest run. */

import { Badge, Empty, ErrorBox, Loading, PageHeader } from "../components/ui";
import { ago } from "../format";
import { useApi } from "../hooks";
import { Link } from "../router";
import type { Repo, Run } from "../types";

export default function ReposPage() {
  const repos = useApi<Repo[]>("/repos");
  const runs = useApi<Run[]>("/runs?limit=200", { refreshOn: (event) => event.type.startsWith("run.") });
  const latest = new Map<string, Run>();
  for (const run of runs.data ?? []) if (!latest.has(run.repo)) latest.set(run.repo, run);
  return (
    <>
      <PageHeader title="Repositories" />
      <ErrorBox error={repos.error} />
      <Loading when={repos.loading && !repos.data} />
      {repos.data && repos.data.length === 0 ? <Empty>No repositories yet: <code>slipway repo create NAME</code>.</Empty> : null}
      <div className="cards">
        {(repos.data ?? []).map((repo) => {
          const run = latest.get(repo.name);
          return (
            <Link key={repo.id} to={`/repos/${repo.name}`} className="card repo-card">
              <strong>{repo.name}</strong>
              <span className="muted">{repo.public ? "public" : "private"} · {repo.defaultBranch}</span>
              {run ? <span><Badge status={run.status} conclusion={run.conclusion} /> {run.workflowName} #{run.runNumber} · {ago(run.createdAt)}</span> : <span className="muted">no runs yet</span>}
            </Link>
          );
        })}
      </div>
    </>
  );
}
