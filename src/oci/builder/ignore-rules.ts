/** `.dockerignore`-style rules: `#` comments, `*`, `**`, `?`, `!` exceptions; the last matching rule wins. */

interface IgnoreRule {
  negated: boolean;
  pattern: RegExp;
}

function patternToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*" && pattern[i + 1] === "*") {
      source += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A rule that matches a directory excludes everything under it.
  return new RegExp(`^${source}(?:/.*)?$`);
}

export class IgnoreRules {
  private readonly rules: IgnoreRule[];

  constructor(lines: string[]) {
    this.rules = lines
      .map((line) => line.trim())
      .filter((line) => line !== "" && !line.startsWith("#"))
      .map((line) => {
        const negated = line.startsWith("!");
        const body = (negated ? line.slice(1) : line).trim().replace(/^\/+/, "").replace(/\/+$/, "").replace(/^\.\//, "");
        return { negated, pattern: patternToRegExp(body) };
      });
  }

  static parse(text: string): IgnoreRules {
    return new IgnoreRules(text.split(/\r?\n/));
  }

  /** Whether a path relative to the context (with `/` separators) is excluded. */
  ignores(path: string): boolean {
    let ignored = false;
    for (const rule of this.rules) if (rule.pattern.test(path)) ignored = !rule.negated;
    return ignored;
  }
}
