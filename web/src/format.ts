/** Display helpers: durations, relative times, short shas, state → colour class. */

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function span(start: number | null, end: number | null, now = Date.now()): string {
  return start === null ? "–" : duration((end ?? now) - start);
}

export function ago(time: number | string | null | undefined): string {
  if (time === null || time === undefined) return "–";
  const ms = Date.now() - (typeof time === "string" ? Date.parse(time) : time);
  if (ms < 60_000) return "just now";
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ago`;
  return `${Math.floor(ms / 86_400_000)} d ago`;
}

export const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 7) : "–");

/** One state word for runs, jobs, checks, health and sync: success, failure, running, waiting, neutral. */
export function stateClass(status: string | null | undefined, conclusion?: string | null): string {
  const value = (conclusion ?? status ?? "").toLowerCase();
  if (["success", "healthy", "synced", "succeeded", "approved"].includes(value)) return "ok";
  if (["failure", "failed", "degraded", "timed_out", "rolledback", "missing", "rejected", "changes_requested"].includes(value)) return "bad";
  if (["in_progress", "progressing", "syncing", "rollingback", "running"].includes(value)) return "run";
  if (["queued", "waiting", "pending", "outofsync", "suspended"].includes(value)) return "wait";
  return "neutral";
}

export function label(status: string | null | undefined, conclusion?: string | null): string {
  return (conclusion ?? status ?? "unknown").replace(/_/g, " ");
}
