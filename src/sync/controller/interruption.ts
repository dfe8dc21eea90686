/** A sync cut short on purpose (the server stopping, or a newer revision superseding it): never a failed rollout, so no rollback. */

/** What the history says of a sync the server stopped during (on a graceful stop, and after a crash at the next start). */
export const interruptedMessage = "interrupted: slipway stopped during this sync";

/** Thrown out of a sync's waits (health, hook Jobs) once its AbortSignal fires; the signal's reason when it is one. */
export class SyncInterrupted extends Error {
  constructor(message = interruptedMessage) {
    super(message);
    this.name = "SyncInterrupted";
  }
}

/** Throws the signal's SyncInterrupted (or a plain one) when the signal has fired. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof SyncInterrupted ? signal.reason : new SyncInterrupted();
}

/** The sync in flight of one app: the server's stop interrupts it, a newer revision to sync supersedes it (neither is a failure). */
export class InFlightSync {
  private current: { revision: string; abort: AbortController; onStop: () => void } | undefined;

  constructor(private readonly stopSignal: AbortSignal | undefined) {}

  /** The server is stopping: no new sync or rollback starts. */
  get stopping(): boolean {
    return this.stopSignal?.aborted ?? false;
  }

  /** A sync of `revision` starts: its signal fires on stop or when superseded. */
  begin(revision: string): AbortSignal {
    this.end();
    const abort = new AbortController();
    // A listener removed at the end of the sync (not AbortSignal.any): nothing piles up on the long-lived stop signal.
    const onStop = (): void => abort.abort(this.stopSignal?.reason);
    this.current = { revision, abort, onStop };
    if (this.stopSignal?.aborted) onStop();
    else this.stopSignal?.addEventListener("abort", onStop, { once: true });
    return abort.signal;
  }

  end(): void {
    if (this.current) this.stopSignal?.removeEventListener("abort", this.current.onStop);
    this.current = undefined;
  }

  /** When a sync is in flight: resolves the revision to sync now and supersedes the sync if it moved (never throws). */
  supersedeBy(resolve: () => Promise<string>): void {
    if (this.current) void resolve().then((revision) => this.supersede(revision), () => undefined);
  }

  /** `revision` is now the one to sync: a sync of another revision still waiting stops and is recorded as superseded. */
  supersede(revision: string): void {
    const current = this.current;
    if (!current || current.revision === revision || current.abort.signal.aborted) return;
    current.abort.abort(new SyncInterrupted(`superseded: ${revision.slice(0, 12)} became the revision to sync before this one was Healthy`));
  }
}
