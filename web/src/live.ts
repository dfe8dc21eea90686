/** One EventSource per tab on /api/v1/events/stream (token as ?access_token=), shared by every component that listens. */

import { useEffect, useRef, useSyncExternalStore } from "react";
import { getToken } from "./api";
import type { ServerEvent } from "./types";

type Listener = (event: ServerEvent) => void;
export type LiveState = "connecting" | "live" | "offline";

const listeners = new Set<Listener>();
const stateListeners = new Set<() => void>();
let source: EventSource | undefined;
let state: LiveState = "offline";

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener();
}

export function connectLive(): void {
  const token = getToken();
  if (source || !token) return;
  setState("connecting");
  source = new EventSource(`/api/v1/events/stream?access_token=${encodeURIComponent(token)}`);
  source.onopen = () => setState("live");
  source.onerror = () => setState(source?.readyState === EventSource.CLOSED ? "offline" : "connecting");
  source.onmessage = (message) => {
    let event: ServerEvent;
    try {
      event = JSON.parse(message.data as string) as ServerEvent;
    } catch {
      return;
    }
    for (const listener of listeners) listener(event);
  };
}

export function disconnectLive(): void {
  source?.close();
  source = undefined;
  setState("offline");
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
