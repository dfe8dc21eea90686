/**
 * The hooks of hosted repos. post-receive spools the ref updates of a push into a file named by the
 * push id the server gave the request (no polling, nothing lost if the server dies mid-push);
 * pre-receive enforces branch naming rules, treating ref names strictly as data.
 */

/** `'…'` quoting for sh: the only character to escape inside single quotes is the quote itself. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function postReceiveHook(): string {
  return `#!/bin/sh
# slipway: record this push's ref updates for the server (one "old new ref" line each).
[ -n "$SLIPWAY_PUSH_SPOOL" ] || exit 0
tmp="$SLIPWAY_PUSH_SPOOL.tmp"
cat > "$tmp" && mv "$tmp" "$SLIPWAY_PUSH_SPOOL"
`;
}

/**
 * Branch patterns are sh glob patterns (`feature/*`, `bugfix/*`); an empty list allows any branch.
 * The default branch and tags are always allowed. Patterns are quoted into the case arms and into the
 * message (a repo admin's pattern must never become a command on the server); ref names are printf data.
 */
export function preReceiveHook(branchPatterns: string[]): string {
  const arms = branchPatterns.map((p) => `    ${shellQuote(p).replace(/\\\*|\*/g, "'*'")}) ;;`).join("\n");
  const rules =
    branchPatterns.length === 0
      ? ""
      : `  case "$ref" in
    refs/heads/*)
      branch=\${ref#refs/heads/}
      [ "$branch" = "$SLIPWAY_DEFAULT_BRANCH" ] && continue
      case "$branch" in
${arms.replace(/^/gm, "  ")}
        *) printf "slipway: branch '%s' does not follow this repository's naming rules (allowed: %s)\\n" "$branch" ${shellQuote(branchPatterns.join(", "))} >&2; exit 1 ;;
      esac ;;
  esac
`;
  return `#!/bin/sh
# slipway: reject what a push must not do, before any ref changes.
while read -r old new ref; do
  case "$ref" in
    refs/heads/*|refs/tags/*) ;;
    *) printf "slipway: only branches and tags can be pushed (got '%s')\\n" "$ref" >&2; exit 1 ;;
  esac
  if [ \${#ref} -gt 255 ]; then echo "slipway: ref name longer than 255 characters" >&2; exit 1; fi
${rules}done
exit 0
`;
}
