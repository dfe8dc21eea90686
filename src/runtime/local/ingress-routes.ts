/** Ingress rule matching as pure logic: host tiers (exact, wildcard, any), then Exact before Prefix, longest prefix wins. */

import type { IngressBackend, IngressSpec } from "../types";

export interface RouteMatch {
  ingress: string;
  backend: IngressBackend;
  /** The rule path that matched, "" for a default backend. */
  path: string;
}

/** "Example.com:8080" → "example.com"; IPv6 literals keep their brackets. */
export function normalizeHost(header: string | undefined): string {
  if (!header) return "";
  const host = header.trim().toLowerCase();
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** "*.example.com" matches exactly one extra leading label, as Kubernetes defines it. */
function wildcardMatches(pattern: string, host: string): boolean {
  const suffix = pattern.slice(1);
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes(".");
}

/** Prefix matching is per path element: "/foo" matches "/foo" and "/foo/bar", never "/foobar". */
export function prefixMatches(prefix: string, path: string): boolean {
  const trimmed = prefix.replace(/\/+$/, "");
  if (trimmed === "") return true;
  return path === trimmed || path.startsWith(`${trimmed}/`);
}

interface Candidate {
  ingress: string;
  backend: IngressBackend;
  path: string;
  exact: boolean;
}

function bestPath(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) {
    if (!best || (candidate.exact && !best.exact) || (candidate.exact === best.exact && candidate.path.length > best.path.length)) best = candidate;
  }
  return best;
}

export function matchRoute(ingresses: IngressSpec[], hostHeader: string | undefined, url: string): RouteMatch | undefined {
  const host = normalizeHost(hostHeader);
  const path = url.split("?")[0].split("#")[0] || "/";
  const tiers: Candidate[][] = [[], [], []];
  for (const ingress of ingresses) {
    for (const rule of ingress.rules) {
      const tier = !rule.host ? 2 : rule.host.startsWith("*.") ? (wildcardMatches(rule.host.toLowerCase(), host) ? 1 : -1) : rule.host.toLowerCase() === host ? 0 : -1;
      if (tier < 0) continue;
      for (const rulePath of rule.paths) {
        const candidatePath = rulePath.path ?? "/";
        const exact = rulePath.pathType === "Exact";
        const matches = exact ? candidatePath === path : prefixMatches(candidatePath, path);
        if (matches) tiers[tier].push({ ingress: ingress.name, backend: rulePath.backend, path: candidatePath, exact });
      }
    }
  }
  for (const tier of tiers) {
    const best = bestPath(tier);
    if (best) return { ingress: best.ingress, backend: best.backend, path: best.path };
  }
  const fallback = ingresses.find((ingress) => ingress.defaultBackend);
  return fallback?.defaultBackend ? { ingress: fallback.name, backend: fallback.defaultBackend, path: "" } : undefined;
}
