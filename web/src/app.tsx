/** The shell: sign-in gate, navigation, live-connection indicator and the route table (pages load on demand). */

import { lazy, Suspense, useEffect, useState, type ComponentType } from "react";
import { api, clearToken, getToken } from "./api";
import { connectLive, disconnectLive, useLiveState } from "./live";
import { Link, matchPath, navigate, useLocation } from "./router";
import type { User } from "./types";
import { SignIn } from "./pages/sign-in";
import { Sail } from "./components/ui";

type Page = ComponentType<{ params: Record<string, string> }>;

const page = (load: () => Promise<{ default: Page }>) => lazy(load);

const routes: Array<[string, Page]> = [
  ["/", page(() => import("./pages/repos"))],
  ["/repos/:owner/:name", page(() => import("./pages/repo"))],
  ["/repos/:owner/:name/pulls/:number", page(() => import("./pages/pull"))],
  ["/runs", page(() => import("./pages/runs"))],
  ["/runs/:id", page(() => import("./pages/run"))],
  ["/runs/:id/jobs/:job", page(() => import("./pages/job"))],
  ["/releases", page(() => import("./pages/releases"))],
  ["/images", page(() => import("./pages/images"))],
  ["/images/*", page(() => import("./pages/images"))],
  ["/environments", page(() => import("./pages/environments"))],
  ["/apps/:name", page(() => import("./pages/app-detail"))],
  ["/events", page(() => import("./pages/events"))],
  ["/dora", page(() => import("./pages/dora"))],
  ["/notifications", page(() => import("./pages/notifications"))],
  ["/approvals", page(() => import("./pages/approvals"))],
];

const navigation: Array<[string, string]> = [
  ["/", "Repositories"],
  ["/runs", "Runs"],
  ["/environments", "Environments"],
  ["/approvals", "Approvals"],
  ["/releases", "Releases"],
  ["/images", "Images"],
  ["/events", "Events"],
  ["/dora", "DORA"],
  ["/notifications", "Notifications"],
];

function LiveDot() {
  const state = useLiveState();
  return <span className={`live ${state}`} title={`Live updates: ${state}`} data-testid="live-state" data-state={state}>{state === "live" ? "● live" : state === "connecting" ? "○ connecting" : "○ offline"}</span>;
}

export function App() {
  const { pathname } = useLocation();
  const [user, setUser] = useState<User | null | undefined>(getToken() ? undefined : null);

  useEffect(() => {
    const signedOut = () => {
      disconnectLive();
      setUser(null);
    };
    window.addEventListener("slipway:signed-out", signedOut);
    return () => window.removeEventListener("slipway:signed-out", signedOut);
  }, []);

  useEffect(() => {
    if (user !== undefined) return;
    api<User>("/user").then(setUser, () => setUser(null));
  }, [user]);

  useEffect(() => {
    if (user) connectLive();
  }, [user]);

  if (user === undefined) return <div className="boot muted">Loading…</div>;
  if (user === null || pathname === "/signin") {
    return <SignIn onSignedIn={(signedIn) => { setUser(signedIn); if (pathname === "/signin") navigate("/", true); }} />;
  }

  let match: [Page, Record<string, string>] | undefined;
  for (const [pattern, component] of routes) {
    const params = matchPath(pattern, pathname);
    if (params) {
      match = [component, params];
      break;
    }
  }
  const [Current, params] = match ?? [NotFound, {}];
  const signOut = () => {
    clearToken();
    disconnectLive();
    setUser(null);
  };

  return (
    <div className="shell">
      <nav className="top">
        <Link to="/" className="brand"><Sail /> slipway</Link>
        <div className="nav-links">
          {navigation.map(([to, text]) => (
            <Link key={to} to={to} className={(to === "/" ? pathname === "/" || pathname.startsWith("/repos") : pathname.startsWith(to)) ? "active" : ""}>{text}</Link>
          ))}
        </div>
        <div className="nav-user">
          <LiveDot />
          <span className="muted" data-testid="signed-in-user">{user.name}</span>
          <button type="button" className="link" onClick={signOut}>Sign out</button>
        </div>
      </nav>
      <main>
        <Suspense fallback={<div className="muted">Loading…</div>}>
          <Current key={pathname} params={params} />
        </Suspense>
      </main>
    </div>
  );
}

function NotFound() {
  return <p>Nothing here. <Link to="/">Back to the repositories</Link>.</p>;
}
