/** Notifications (when the server has them): channels, subscriptions and the latest deliveries with their attempts and errors. */

import { ApiError } from "../api";
import { Badge, Empty, ErrorBox, PageHeader } from "../components/ui";
import { ago } from "../format";
import { useApi } from "../hooks";

interface Channel { id: number; name: string; kind: string; createdAt: number }
interface Subscription { id: number; channel: string; events: string[]; environment: string | null; repo: string | null }
interface Delivery { id: number; trigger: string; status: string; attempts: number; lastError: string | null; createdAt: number; finishedAt: number | null; channelId: number }

export default function NotificationsPage() {
  const channels = useApi<Channel[]>("/notifications/channels");
  const subscriptions = useApi<Subscription[]>("/notifications/subscriptions");
  const deliveries = useApi<Delivery[]>("/notifications/deliveries?limit=100", { pollMs: 10_000 });
  if (channels.error instanceof ApiError && channels.error.status === 404) return <><PageHeader title="Notifications" /><Empty>This server does not send notifications.</Empty></>;
  const channelName = new Map((channels.data ?? []).map((channel) => [channel.id, channel.name]));
  return (
    <>
      <PageHeader title="Notifications" />
      <ErrorBox error={channels.error ?? subscriptions.error ?? deliveries.error} />
      <div className="grid-2">
        <section className="card">
          <h2>Channels</h2>
          {channels.data?.length === 0 ? <Empty>No channels: <code>slipway notify channel add</code>.</Empty> : null}
          <ul className="list">{(channels.data ?? []).map((c) => <li key={c.id}><strong>{c.name}</strong><span className="tag">{c.kind}</span><span className="muted">{ago(c.createdAt)}</span></li>)}</ul>
        </section>
        <section className="card">
          <h2>Subscriptions</h2>
          <ul className="list">
            {(subscriptions.data ?? []).map((s) => (
              <li key={s.id}><strong>{s.channel}</strong> <span>{s.events.join(", ")}</span><span className="muted">{s.environment ? `env ${s.environment}` : "every environment"} · {s.repo ?? "every repo"}</span></li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card">
        <h2>Recent deliveries</h2>
        <table className="history">
          <thead><tr><th>Trigger</th><th>Channel</th><th>Status</th><th>Attempts</th><th>When</th><th>Last error</th></tr></thead>
          <tbody>
            {(deliveries.data ?? []).map((d) => (
              <tr key={d.id}><td><code>{d.trigger}</code></td><td>{channelName.get(d.channelId) ?? d.channelId}</td><td><Badge status={d.status === "sent" ? "success" : d.status === "failed" ? "failure" : "queued"} text={d.status} /></td><td>{d.attempts}</td><td>{ago(d.createdAt)}</td><td className="muted small">{d.lastError ?? ""}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
