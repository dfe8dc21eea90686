/** Every run the caller can see (up to 1,000, newest first), updated live. */

import { useEffect, useRef, useState } from "react";
import { api } from "../api";
import { RunsTable } from "../components/runs-table";
import { ErrorBox, PageHeader } from "../components/ui";
import { useServerEvents } from "../live";
import type { Run } from "../types";

const pages = 2;
const pageSize = 500;

async function loadRuns(): Promise<Run[]> {
  const runs: Run[] = [];
  let before: number | undefined;
  for (let page = 0; page < pages; page += 1) {
    const batch = await api<Run[]>(`/runs?limit=${pageSize}${before ? `&before=${before}` : ""}`);
    runs.push(...batch);
    if (batch.length < pageSize) break;
    before = batch[batch.length - 1]?.id;
  }
  return runs;
}

export default function RunsPage() {
  const [runs, setRuns] = useState<Run[]>();
  const [error, setError] = useState<Error>();
  const [filter, setFilter] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    loadRuns().then(setRuns, setError);
  }, [tick]);
  // A burst of runs reloads the list once.
  const reload = useRef(0);
  useServerEvents((event) => event.type === "run.created" || event.type === "run.completed", () => {
    window.clearTimeout(reload.current);
    reload.current = window.setTimeout(() => setTick((t) => t + 1), 400);
  });
  const shown = (runs ?? []).filter((run) => !filter || `${run.repo} ${run.workflowName} ${run.ref} ${run.actor} ${run.sha}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <PageHeader title="Runs">
        <input type="search" placeholder="Filter runs" value={filter} onChange={(event) => setFilter(event.target.value)} aria-label="Filter runs" />
      </PageHeader>
      <ErrorBox error={error} />
      <p className="muted" data-testid="runs-count">{runs ? `${shown.length.toLocaleString()} runs` : "Loading…"}</p>
      <RunsTable runs={shown} now={Date.now()} />
    </>
  );
}
