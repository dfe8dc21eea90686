/** Data hooks: load an API path, reload it on matching server events (coalesced), keep the last good data while reloading. */

import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api";
import { useServerEvents } from "./live";
import type { ServerEvent } from "./types";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export function useApi<T>(path: string | null, options: { refreshOn?: (event: ServerEvent) => boolean; pollMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(path !== null);
  const generation = useRef(0);
  const timer = useRef<number | undefined>(undefined);

  const load = useCallback(() => {
    if (path === null) return;
    const mine = ++generation.current;
    setLoading(true);
    api<T>(path).then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (failure: unknown) => {
        if (mine !== generation.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
  }, [path]);

  useEffect(() => {
    setData(undefined);
    load();
  }, [load]);

  useEffect(() => {
    if (!options.pollMs) return;
    const interval = window.setInterval(load, options.pollMs);
    return () => window.clearInterval(interval);
  }, [load, options.pollMs]);

  useServerEvents(options.refreshOn ?? (() => false), () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(load, 150);
  });

  return { data, error, loading, reload: load };
}
