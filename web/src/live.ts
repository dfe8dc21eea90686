/**
 * One EventSource per tab on /api/v1/events/stream, shared by every component that listens. EventSource cannot send
 * the token as a header, and a token in the URL ends up in access logs: the tab first trades it for the stream's
 * cookie (POST /api/v1/events/session). A stream the server refuses (a restarted server no longer knows the cookie)
 * is opened again, with a new cookie, after a few seconds.
 */

import { useEffect, useRef, useSyncExternalStore } from "react";
import { api, getToken } from "./api";
import type { ServerEvent } from "./types";

type Listener = (event: ServerEvent) => void;
export type LiveState = "connecting" | "live" | "offline";

const listeners = new Set<Listener>();
const stateListeners = new Set<() => void>();
let source: EventSource | undefined;
let state: LiveState = "offline";
/** Bumped by every connect and disconnect: a connect that an older one started gives up. */
let generation = 0;
let retry: ReturnType<typeof setTimeout> | undefined;
/** 3 s after the first refusal, doubling up to a minute; back to 3 s once a stream is live. */
const firstRetryMs = 3000;
const maxRetryMs = 60_000;
let retryMs = firstRetryMs;
/** The cookie's removal at sign-out: a sign-in right after waits for it, or it could clear the new cookie. */
let removingCookie: Promise<unknown> = Promise.resolve();

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener();
}

export function connectLive(): void {
  if (source || !getToken() || state === "connecting") return;
  const mine = (generation += 1);
  setState("connecting");
  removingCookie.then(() => api<{ expiresAt: string }>("/events/session", { method: "POST" })).then(
    () => {
      if (mine === generation) open(mine);
    },
    () => {
      if (mine === generation) retryLater();
    },
  );
}

function open(mine: number): void {
  const stream = new EventSource("/api/v1/events/stream");
  source = stream;
  stream.onopen = () => {
    retryMs = firstRetryMs;
    setState("live");
  };
  stream.onerror = () => {
    if (mine !== generation) return;
    if (stream.readyState !== EventSource.CLOSED) return setState("connecting"); // EventSource retries by itself
    stream.close();
    source = undefined;
    retryLater();
  };
  stream.onmessage = (message) => {
    let event: ServerEvent;
    try {
      event = JSON.parse(message.data as string) as ServerEvent;
    } catch {
      return;
    }
    for (const listener of listeners) listener(event);
  };
}

function retryLater(): void {
  setState("offline");
  clearTimeout(retry);
  retry = setTimeout(connectLive, retryMs);
  retryMs = Math.min(maxRetryMs, retryMs * 2);
}

export function disconnectLive(): void {
  generation += 1;
  clearTimeout(retry);
  source?.close();
  source = undefined;
  setState("offline");
  removingCookie = fetch("/api/v1/events/session", { method: "DELETE" }).catch(() => undefined);
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (listener) => {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    () => state,
  );
}

/** Calls `onEvent` for every server event that `filter` accepts, and on `stream.reset`, for as long as the component is mounted. */
export function useServerEvents(filter: (event: ServerEvent) => boolean, onEvent: (event: ServerEvent) => void): void {
  const latest = useRef({ filter, onEvent });
  latest.current = { filter, onEvent };
  useEffect(() => {
    const listener: Listener = (event) => {
      // stream.reset: the server could not replay what this tab missed while it was away; every view reads again.
      if (event.type === "stream.reset" || latest.current.filter(event)) latest.current.onEvent(event);
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
}
