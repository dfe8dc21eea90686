/** GitHub's filter patterns for branches, tags and paths (`*`, `**`, `?`, `+`, `[]`, `!`, `\` escapes). */

const regexCache = new Map<string, RegExp>();

function escapeRegexChar(char: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(char) ? `\\${char}` : char;
}

/** Reads a `[...]` class at `start`; returns the regex and the index after `]`, or undefined when unterminated. */
function readCharacterClass(pattern: string, start: number): { regex: string; end: number } | undefined {
  const close = pattern.indexOf("]", start + 1);
  if (close <= start + 1) return undefined;
  const body = pattern.slice(start + 1, close);
  let regex = "";
  for (let i = 0; i < body.length; i++) {
    const isRange = body[i + 1] === "-" && i + 2 < body.length;
    if (isRange) {
      regex += `${escapeRegexChar(body[i])}-${escapeRegexChar(body[i + 2])}`;
      i += 2;
    } else {
      regex += escapeRegexChar(body[i]);
    }
  }
  return { regex: `[${regex}]`, end: close + 1 };
}

/** Converts a (positive) filter pattern to an anchored regular expression. */
export function filterPatternToRegExp(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  // Atoms, so that `?` and `+` can quantify the preceding character or class.
  const atoms: { regex: string; quantifiable: boolean }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    const previous = atoms[atoms.length - 1];
    if (char === "\\" && i + 1 < pattern.length) {
      atoms.push({ regex: escapeRegexChar(pattern[++i]), quantifiable: true });
    } else if (char === "*" && pattern[i + 1] === "*" && pattern[i + 2] === "/") {
      // `**/` also matches no directory at all: `**/README.md` matches `README.md`.
      atoms.push({ regex: "(?:.*/)?", quantifiable: false });
      i += 2;
    } else if (char === "*" && pattern[i + 1] === "*") {
      atoms.push({ regex: ".*", quantifiable: false });
      i++;
    } else if (char === "*") {
      atoms.push({ regex: "[^/]*", quantifiable: false });
    } else if ((char === "?" || char === "+") && previous?.quantifiable) {
      previous.regex = `(?:${previous.regex})${char}`;
      previous.quantifiable = false;
    } else if (char === "[") {
      const characterClass = readCharacterClass(pattern, i);
      if (characterClass) {
        atoms.push({ regex: characterClass.regex, quantifiable: true });
        i = characterClass.end - 1;
      } else {
        atoms.push({ regex: escapeRegexChar(char), quantifiable: true });
      }
    } else {
      atoms.push({ regex: escapeRegexChar(char), quantifiable: true });
    }
  }
  const regex = new RegExp(`^${atoms.map((atom) => atom.regex).join("")}$`, "s");
  regexCache.set(pattern, regex);
  return regex;
}

/** Whether `value` matches one pattern; a leading `!` is NOT interpreted here (see matchPatternList). */
export function matchFilterPattern(value: string, pattern: string): boolean {
  return filterPatternToRegExp(pattern).test(value);
}

/**
 * Evaluates an ordered list where `!pattern` excludes what earlier patterns included and a later
 * positive pattern can include it again. A list of only negative patterns matches nothing.
 */
export function matchPatternList(value: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith("!")) {
      if (matched && matchFilterPattern(value, pattern.slice(1))) matched = false;
    } else if (!matched && matchFilterPattern(value, pattern)) {
      matched = true;
    }
  }
  return matched;
}

/**
 * `branches`/`tags`-style filters: with `include`, the value must match the list; with `ignore`,
 * it must not; with neither, everything matches.
 */
export function matchFilters(value: string, include?: readonly string[], ignore?: readonly string[]): boolean {
  if (include && !matchPatternList(value, include)) return false;
  if (ignore && matchPatternList(value, ignore)) return false;
  return true;
}

/**
 * `paths`: at least one changed path matches. `paths-ignore`: runs unless every changed path is
 * ignored. Unknown changed paths (undefined) let the filters pass.
 */
export function matchPathFilters(changedPaths: readonly string[] | undefined, paths?: readonly string[], pathsIgnore?: readonly string[]): boolean {
  if (changedPaths === undefined) return true;
  if (paths && !changedPaths.some((path) => matchPatternList(path, paths))) return false;
  if (pathsIgnore && changedPaths.every((path) => matchPatternList(path, pathsIgnore))) return false;
  return true;
}
