/** DORA metrics for an environment (from /api/v1/metrics/dora) with daily deployment and failure charts from the event log. */

import { useEffect, useMemo, useState } from "react";
import { api, ApiError, enc } from "../api";
import { Chart } from "../components/chart";
import { ErrorBox, PageHeader } from "../components/ui";
import { duration } from "../format";
import { useApi } from "../hooks";
import type { EnvironmentBoard, EventRecord } from "../types";

interface Metric { value: number | null; band: string | null }
interface DoraReport {
  environment: string; since: string; until: string;
  deploymentFrequency: Metric & { deployments: number; perWeek: number | null; days: number };
  leadTime: Metric & { samples: number };
  changeFailureRate: Metric & { failed: number; deployments: number };
  timeToRestore: Metric & { incidents: number; open: number };
}

const day = 86_400_000;
const windows: Record<string, number> = { "7d": 7, "30d": 30, "90d": 90 };

function Tile({ title, metric, value, detail }: { title: string; metric: Metric; value: string; detail: string }) {
  return (
    <div className="card tile" data-band={metric.band ?? "none"}>
      <span className="muted">{title}</span>
      <strong className="figure">{value}</strong>
      <span className={`band ${metric.band ?? ""}`}>{metric.band ?? "no data"}</span>
      <span className="muted small">{detail}</span>
    </div>
  );
}

/** Deployments and failures per day of `env` over the last `days`, from the event log. */
async function dailySeries(env: string, days: number): Promise<{ x: number[]; deployed: number[]; failed: number[] }> {
  const start = Math.floor((Date.now() - days * day) / day) * day;
  const x = Array.from({ length: days + 1 }, (_, i) => (start + i * day) / 1000);
  const deployed = x.map(() => 0);
  const failed = x.map(() => 0);
  let before: number | null | undefined;
  for (let page = 0; page < 20; page += 1) {
    const result = await api<{ events: EventRecord[]; next: number | null }>(`/events?type=app.deployed,app.deploy-failed,rollback&limit=500${before ? `&before=${before}` : ""}`);
    for (const event of result.events) {
      if (event.createdAt < start) return { x, deployed, failed };
      if ((event.payload as { environment?: string } | null)?.environment !== env) continue;
      const index = Math.floor((event.createdAt - start) / day);
      if (event.type === "app.deployed") deployed[index] = (deployed[index] ?? 0) + 1;
      else failed[index] = (failed[index] ?? 0) + 1;
    }
    before = result.next;
    if (before === null) break;
  }
  return { x, deployed, failed };
}

export default function DoraPage() {
  const board = useApi<EnvironmentBoard>("/environments");
  const [env, setEnv] = useState("prod");
  const [since, setSince] = useState("30d");
  const report = useApi<DoraReport>(`/metrics/dora?env=${enc(env)}&since=${since}`, { refreshOn: (event) => event.type === "app.deployed" || event.type === "rollback" });
  const [series, setSeries] = useState<{ x: number[]; deployed: number[]; failed: number[] }>();
  useEffect(() => {
    dailySeries(env, windows[since] ?? 30).then(setSeries, () => setSeries(undefined));
  }, [env, since]);
  const chartSeries = useMemo(() => (series ? [
    { label: "deployments", values: series.deployed, color: "#2a7ae2", bars: true },
    { label: "failures / rollbacks", values: series.failed, color: "#d9534f", bars: true },
  ] : []), [series]);
  const missing = report.error instanceof ApiError && report.error.status === 404;
  const data = report.data;
  const environments = [...new Set([...(board.data?.environments ?? []), "prod"])];
  return (
    <>
      <PageHeader title="DORA metrics">
        <select value={env} onChange={(event) => setEnv(event.target.value)} aria-label="Environment">{environments.map((name) => <option key={name}>{name}</option>)}</select>
        <select value={since} onChange={(event) => setSince(event.target.value)} aria-label="Window">{Object.keys(windows).map((w) => <option key={w}>{w}</option>)}</select>
      </PageHeader>
      {missing ? <p className="muted">This server does not compute DORA metrics.</p> : <ErrorBox error={report.error} />}
      {data ? (
        <div className="tiles" data-testid="dora-tiles">
          <Tile title="Deployment frequency" metric={data.deploymentFrequency} value={data.deploymentFrequency.perWeek === null ? "–" : `${data.deploymentFrequency.perWeek.toFixed(1)}/week`} detail={`${data.deploymentFrequency.deployments} deployments in ${data.deploymentFrequency.days} days`} />
          <Tile title="Lead time for changes" metric={data.leadTime} value={duration(data.leadTime.value)} detail={`median of ${data.leadTime.samples}`} />
          <Tile title="Change failure rate" metric={data.changeFailureRate} value={data.changeFailureRate.value === null ? "–" : `${Math.round(data.changeFailureRate.value * 100)}%`} detail={`${data.changeFailureRate.failed} of ${data.changeFailureRate.deployments}`} />
          <Tile title="Time to restore" metric={data.timeToRestore} value={duration(data.timeToRestore.value)} detail={`${data.timeToRestore.incidents} incidents${data.timeToRestore.open ? `, ${data.timeToRestore.open} open` : ""}`} />
        </div>
      ) : null}
      {series ? <section className="card"><Chart title={`Deployments to ${env} per day`} x={series.x} series={chartSeries} /></section> : null}
    </>
  );
}
