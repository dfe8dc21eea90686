/** Durations as people type them (`30d`, `12h`, `2w`, `90m`, `45s`, `1h30m`) → milliseconds. */

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Undefined when `text` is not one or more `<number><unit>` parts with a positive total. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) total += Number(match[1]) * unitMs[match[2]];
  return total > 0 ? Math.round(total) : undefined;
}

/** 90061000 → `1d 1h 1m`; under a minute in seconds. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 60_000);
  for (const [unit, minutes] of [["d", 1440], ["h", 60], ["m", 1]] as const) {
    if (rest >= minutes) {
      parts.push(`${Math.floor(rest / minutes)}${unit}`);
      rest %= minutes;
    }
  }
  return parts.join(" ");
}
