/** Sign-in with a personal access token (checked against GET /user, then kept in localStorage). */

import { useState, type FormEvent } from "react";
import { api, setToken } from "../api";
import type { User } from "../types";
import { Sail } from "../components/ui";

export function SignIn({ onSignedIn }: { onSignedIn: (user: User) => void }) {
  const [token, setValue] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const user = await api<User>("/user", { token: token.trim() });
      setToken(token.trim());
      onSignedIn(user);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <form onSubmit={(event) => void submit(event)} className="card">
        <h1><Sail /> slipway</h1>
        <p className="muted">Sign in with a personal access token. The first admin's token is in <code>DATA_DIR/admin.token</code>; <code>slipway token create</code> makes more.</p>
        <label htmlFor="token">Token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" value={token} onChange={(event) => setValue(event.target.value)} required autoFocus />
        {error ? <div className="error" role="alert">{error}</div> : null}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </div>
  );
}
