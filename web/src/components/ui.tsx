/** Small shared pieces: state badges, error and loading boxes, the page header, buttons behind a confirmation. */

import { useState, type ReactNode } from "react";
import { label, stateClass } from "../format";

export function Badge({ status, conclusion, text }: { status?: string | null; conclusion?: string | null; text?: string }) {
  return <span className={`badge ${stateClass(status, conclusion)}`} data-state={stateClass(status, conclusion)}>{text ?? label(status, conclusion)}</span>;
}

export function ErrorBox({ error }: { error: Error | undefined }) {
  return error ? <div className="error" role="alert">{error.message}</div> : null;
}

export function Loading({ when }: { when: boolean }) {
  return when ? <div className="muted">Loading…</div> : null;
}

export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="actions">{children}</div> : null}
    </header>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty muted">{children}</p>;
}

/**
 * A button whose action runs only after the user confirms in a dialog; the dialog shows the action's error
 * instead of closing, so nothing fails silently.
 */
export function ConfirmButton({ label: text, title, description, onConfirm, className, disabled }: {
  label: string; title: string; description: ReactNode; onConfirm: () => Promise<unknown>; className?: string; disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setOpen(false);
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className={className} disabled={disabled} onClick={() => setOpen(true)}>{text}</button>
      {open ? (
        <div className="modal-backdrop" onClick={() => !busy && setOpen(false)}>
          <div className="modal" role="dialog" aria-modal="true" aria-label={title} onClick={(event) => event.stopPropagation()}>
            <h2>{title}</h2>
            <div>{description}</div>
            <ErrorBox error={error} />
            <div className="modal-actions">
              <button type="button" onClick={() => setOpen(false)} disabled={busy}>Cancel</button>
              <button type="button" className="primary" onClick={() => void confirm()} disabled={busy}>{busy ? "Working…" : "Confirm"}</button>
            </div>
          </div>
        </div>
      ) : null}
    </>
  );
}

/** The logo: a sail over a hull. */
export function Sail() {
  return <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true"><path d="M8 1v11H2zM9 4l5 8H9zM1 13h14l-2 2H3z" fill="currentColor" /></svg>;
}
