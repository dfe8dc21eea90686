/** A job's log: fetched in pages of chunks, tailed while the job runs, ANSI colours, ::group:: folding, search; only visible lines in the DOM. */

import { AnsiUp } from "ansi_up";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import { LogModel } from "../log-model";
import type { LogChunk } from "../types";
import { VirtualList, type VirtualListHandle } from "./virtual-list";

const pageSize = 50;
const rowHeight = 18;
const ansi = new AnsiUp();
ansi.use_classes = true;
// Strips escape sequences: lines with a search hit are shown plain with the hit marked.
const escapes = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function highlight(text: string, query: string): string {
  const plain = text.replace(escapes, "");
  const lower = plain.toLowerCase();
  const needle = query.toLowerCase();
  let html = "";
  let at = 0;
  for (let hit = lower.indexOf(needle); hit >= 0 && needle; hit = lower.indexOf(needle, at)) {
    html += `${escapeHtml(plain.slice(at, hit))}<mark>${escapeHtml(plain.slice(hit, hit + needle.length))}</mark>`;
    at = hit + needle.length;
  }
  return html + escapeHtml(plain.slice(at));
}

export function LogView({ runId, jobId, running }: { runId: number; jobId: number; running: boolean }) {
  const model = useMemo(() => new LogModel(), [runId, jobId]);
  const [version, setVersion] = useState(0);
  const [loading, setLoading] = useState(true);
  const [query, setQuery] = useState("");
  const [matches, setMatches] = useState<number[]>([]);
  const [current, setCurrent] = useState(0);
  const [searching, setSearching] = useState(false);
  const handle = useRef<VirtualListHandle | undefined>(undefined);
  const runningRef = useRef(running);
  runningRef.current = running;

  // Pages through the log, then tails it while the job runs; one pass at a time.
  useEffect(() => {
    let stopped = false;
    let after = 0;
    let timer = 0;
    const pump = async (): Promise<void> => {
      for (;;) {
        const chunks = await api<LogChunk[]>(`/runs/${runId}/jobs/${jobId}/logs?after=${after}&limit=${pageSize}`);
        if (stopped) return;
        for (const chunk of chunks) model.append(chunk.content);
        if (chunks.length > 0) {
          after = chunks[chunks.length - 1]?.seq ?? after;
          setVersion((v) => v + 1);
        }
        if (chunks.length < pageSize) break;
        // Let the page paint and take input between pages.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      setLoading(false);
      if (runningRef.current) timer = window.setTimeout(() => void pump().catch(() => undefined), 1000);
      else {
        model.finish();
        setVersion((v) => v + 1);
      }
    };
    void pump().catch(() => setLoading(false));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [model, runId, jobId]);

  useEffect(() => {
    const signal = { cancelled: false };
    if (!query) {
      setMatches([]);
      return;
    }
    setSearching(true);
    const timer = window.setTimeout(() => {
      void model.search(query, 10_000, signal).then((found) => {
        if (signal.cancelled) return;
        setMatches(found);
        setCurrent(0);
        setSearching(false);
      });
    }, 200);
    return () => {
      signal.cancelled = true;
      window.clearTimeout(timer);
    };
  }, [query, model, loading]);

  const jump = (index: number) => {
    if (matches.length === 0) return;
    const wrapped = (index + matches.length) % matches.length;
    setCurrent(wrapped);
    const line = matches[wrapped] as number;
    model.reveal(line);
    setVersion((v) => v + 1);
    requestAnimationFrame(() => handle.current?.scrollToRow(model.rowOfLine(line)));
  };

  const matchSet = useMemo(() => new Set(matches), [matches]);
  const renderRow = useCallback(
    (row: number) => {
      const line = model.lineAtRow(row);
      const text = model.line(line);
      const group = model.groupAt(line);
      const number = <span className="ln">{line + 1}</span>;
      if (group) {
        const open = model.isExpanded(group);
        return (
          <div className={`logline group ${open ? "open" : ""}`} onClick={() => { model.toggle(group); setVersion((v) => v + 1); }} role="button" aria-expanded={open}>
            {number}<span className="fold">{open ? "▾" : "▸"}</span> {group.title}
          </div>
        );
      }
      const hit = query && matchSet.has(line);
      const html = hit ? highlight(text, query) : ansi.ansi_to_html(text);
      const level = text.startsWith("##[error]") ? "error" : text.startsWith("##[warning]") ? "warning" : "";
      return <div className={`logline ${level} ${hit && matches[current] === line ? "current" : ""}`}>{number}<span dangerouslySetInnerHTML={{ __html: html }} /></div>;
    },
    // version re-renders rows after appends and folds
    [model, version, query, matchSet, current],
  );

  return (
    <div className="log">
      <div className="log-toolbar">
        <input type="search" placeholder="Search the log" value={query} onChange={(event) => setQuery(event.target.value)} aria-label="Search the log"
          onKeyDown={(event) => { if (event.key === "Enter") jump(current + (event.shiftKey ? -1 : 1)); }} />
        <span className="muted" data-testid="log-matches">{query ? (searching ? "searching…" : `${matches.length ? current + 1 : 0} / ${matches.length}${matches.length >= 10_000 ? "+" : ""}`) : ""}</span>
        <button type="button" onClick={() => jump(current - 1)} disabled={matches.length === 0}>↑</button>
        <button type="button" onClick={() => jump(current + 1)} disabled={matches.length === 0}>↓</button>
        <span className="muted log-size" data-testid="log-lines">{model.totalLines.toLocaleString()} lines · {(model.bytes / 1e6).toFixed(1)} MB{loading ? " · loading…" : running ? " · live" : ""}</span>
      </div>
      <VirtualList count={model.rowCount()} rowHeight={rowHeight} height="70vh" renderRow={renderRow} className="log-lines" follow={running} label="log" onHandle={(h) => (handle.current = h)} />
    </div>
  );
}
