/** The event log, newest first: filter by type prefix and repository, page back with "older"; new events arrive live. */

import { useEffect, useRef, useState } from "react";
import { api, enc } from "../api";
import { ErrorBox, PageHeader } from "../components/ui";
import { useServerEvents } from "../live";
import type { EventRecord } from "../types";

interface EventPage { events: EventRecord[]; next: number | null }

function summary(payload: unknown): string {
  if (!payload || typeof payload !== "object") return "";
  return Object.entries(payload as Record<string, unknown>)
    .filter(([key, value]) => value !== null && typeof value !== "object" && key !== "repo")
    .map(([key, value]) => {
      const text = String(value);
      return `${key}=${/^[0-9a-f]{40}$/.test(text) ? text.slice(0, 7) : text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
    })
    .join(" ");
}

export default function EventsPage() {
  const [type, setType] = useState("");
  const [repo, setRepo] = useState("");
  const [events, setEvents] = useState<EventRecord[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  const query = `${type ? `&type=${enc(type)}` : ""}${repo ? `&repo=${enc(repo)}` : ""}`;

  useEffect(() => {
    api<EventPage>(`/events?limit=100${query}`).then((page) => {
      setEvents(page.events);
      setNext(page.next);
      setError(undefined);
    }, setError);
  }, [query, tick]);
  const reload = useRef(0);
  useServerEvents(() => true, () => {
    window.clearTimeout(reload.current);
    reload.current = window.setTimeout(() => setTick((t) => t + 1), 500);
  });

  const older = () => {
    if (next === null) return;
    api<EventPage>(`/events?limit=100&before=${next}${query}`).then((page) => {
      setEvents((shown) => [...shown, ...page.events]);
      setNext(page.next);
    }, setError);
  };
  return (
    <>
      <PageHeader title="Event history">
        <input placeholder="type, e.g. run.* or sync.failed" value={type} onChange={(event) => setType(event.target.value)} aria-label="Event type" />
        <input placeholder="repo owner/name" value={repo} onChange={(event) => setRepo(event.target.value)} aria-label="Repository" />
      </PageHeader>
      <ErrorBox error={error} />
      <table className="history events" data-testid="events">
        <thead><tr><th>When</th><th>Type</th><th>Repo</th><th>Subject</th><th>Details</th></tr></thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-type={event.type}>
              <td title={new Date(event.createdAt).toISOString()}>{new Date(event.createdAt).toLocaleString()}</td>
              <td><code>{event.type}</code></td>
              <td>{event.repo ?? ""}</td>
              <td className="mono">{event.subject}</td>
              <td className="muted small">{summary(event.payload)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {next !== null ? <button type="button" onClick={older}>Older events</button> : null}
    </>
  );
}
