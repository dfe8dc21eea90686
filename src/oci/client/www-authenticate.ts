/** Parses `WWW-Authenticate` challenges: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string): AuthChallenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pairs = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const pair of (match[2] ?? "").matchAll(pairs)) {
    params[(pair[1] as string).toLowerCase()] = pair[2] !== undefined ? pair[2].replace(/\\(.)/g, "$1") : (pair[3] ?? "");
  }
  return { scheme: (match[1] as string).toLowerCase(), params };
}
