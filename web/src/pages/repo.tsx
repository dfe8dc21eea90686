/** One repository: pull requests (and opening one), branches, runs, releases. */

import { useState, type FormEvent } from "react";
import { api, enc } from "../api";
import { RunsTable } from "../components/runs-table";
import { Badge, Empty, ErrorBox, PageHeader } from "../components/ui";
import { ago, short } from "../format";
import { useApi } from "../hooks";
import { Link, navigate, useLocation } from "../router";
import type { Branch, PullRequest, Release, Repo, Run } from "../types";

const tabs = ["pulls", "branches", "runs", "releases"] as const;

export default function RepoPage({ params }: { params: Record<string, string> }) {
  const full = `${params.owner}/${params.name}`;
  const base = `/repos/${enc(params.owner ?? "")}/${enc(params.name ?? "")}`;
  const { search } = useLocation();
  const tab = (search.get("tab") as (typeof tabs)[number] | null) ?? "pulls";
  const repo = useApi<Repo>(base);
  return (
    <>
      <PageHeader title={full}>{repo.data ? <code className="clone">{repo.data.cloneUrl}</code> : null}</PageHeader>
      <ErrorBox error={repo.error} />
      <div className="tabs" role="tablist">
        {tabs.map((name) => (
          <Link key={name} to={`/repos/${full}?tab=${name}`} className={tab === name ? "active" : ""}>{name === "pulls" ? "Pull requests" : name[0]?.toUpperCase() + name.slice(1)}</Link>
        ))}
      </div>
      {tab === "pulls" ? <Pulls base={base} full={full} /> : null}
      {tab === "branches" ? <Branches base={base} full={full} /> : null}
      {tab === "runs" ? <RepoRuns base={base} full={full} /> : null}
      {tab === "releases" ? <RepoReleases base={base} /> : null}
    </>
  );
}

function Pulls({ base, full }: { base: string; full: string }) {
  const [state, setState] = useState("open");
  const pulls = useApi<PullRequest[]>(`${base}/pulls?state=${state}`, { refreshOn: (event) => event.repo === full });
  const branches = useApi<Branch[]>(`${base}/branches`);
  const [source, setSource] = useState("");
  const [title, setTitle] = useState("");
  const [error, setError] = useState<Error>();
  const open = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const created = await api<PullRequest>(`${base}/pulls`, { method: "POST", body: { source, title } });
      navigate(`/repos/${full}/pulls/${created.number}`);
    } catch (failure) {
      setError(failure as Error);
    }
  };
  const candidates = (branches.data ?? []).filter((branch) => !branch.default);
  return (
    <section>
      <form className="inline-form" onSubmit={(event) => void open(event)} aria-label="Open a pull request">
        <select value={source} onChange={(event) => setSource(event.target.value)} aria-label="Source branch" required>
          <option value="">Branch…</option>
          {candidates.map((branch) => <option key={branch.name} value={branch.name}>{branch.name}</option>)}
        </select>
        <input placeholder="Title" value={title} onChange={(event) => setTitle(event.target.value)} aria-label="Title" required />
        <button type="submit" className="primary" disabled={!source || !title}>Open pull request</button>
      </form>
      <ErrorBox error={error ?? pulls.error} />
      <div className="filters">
        {["open", "merged", "closed", "all"].map((value) => <button key={value} type="button" className={state === value ? "active" : ""} onClick={() => setState(value)}>{value}</button>)}
      </div>
      {pulls.data?.length === 0 ? <Empty>No {state === "all" ? "" : state} pull requests.</Empty> : null}
      <ul className="list">
        {(pulls.data ?? []).map((pr) => (
          <li key={pr.id}>
            <Badge status={pr.state} text={pr.state} />
            <Link to={`/repos/${full}/pulls/${pr.number}`}>#{pr.number} {pr.title}</Link>
            <span className="muted">{pr.sourceBranch} → {pr.targetBranch} · {pr.author} · {ago(pr.updatedAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Branches({ base, full }: { base: string; full: string }) {
  const branches = useApi<Branch[]>(`${base}/branches`, { refreshOn: (event) => event.type === "push.received" && event.repo === full });
  return (
    <section>
      <ErrorBox error={branches.error} />
      <ul className="list">
        {(branches.data ?? []).map((branch) => (
          <li key={branch.name}>
            <strong className="mono">{branch.name}</strong>
            {branch.default ? <span className="tag">default</span> : null}
            {branch.protected ? <span className="tag">protected</span> : null}
            <span className="mono muted">{short(branch.sha)}</span>
            <span className="muted">{branch.subject} · {ago(branch.committedAt)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RepoRuns({ base, full }: { base: string; full: string }) {
  const runs = useApi<Run[]>(`${base}/runs?limit=200`, { refreshOn: (event) => event.repo === full && (event.type.startsWith("run.") || event.type === "job.updated") });
  return (
    <section>
      <ErrorBox error={runs.error} />
      {runs.data?.length === 0 ? <Empty>No runs yet.</Empty> : null}
      <RunsTable runs={runs.data ?? []} showRepo={false} now={Date.now()} />
    </section>
  );
}

export function RepoReleases({ base }: { base: string }) {
  const releases = useApi<Release[]>(`${base}/releases`);
  return (
    <section>
      <ErrorBox error={releases.error} />
      {releases.data?.length === 0 ? <Empty>No releases yet: the slipway/release step records them.</Empty> : null}
      {(releases.data ?? []).map((release) => <ReleaseCard key={release.id} release={release} />)}
    </section>
  );
}

export function ReleaseCard({ release }: { release: Release }) {
  return (
    <details className="card release" open={false}>
      <summary>
        <strong>{release.service ? `${release.service} ` : ""}{release.version}</strong> <span className="tag">{release.tag}</span>
        {release.bump ? <span className="tag">{release.bump}</span> : null}
        <span className="muted">{release.repo} · {short(release.sha)} · {ago(release.createdAt)}{release.previousVersion ? ` · after ${release.previousVersion}` : ""}</span>
      </summary>
      <pre className="changelog">{release.changelog}</pre>
    </details>
  );
}
