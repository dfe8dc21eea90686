/** Wall-clock time in an IANA time zone with Intl only: instant → local fields, and local date + time → instant across DST gaps and overlaps. */

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", weekday: "short", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether Intl knows the zone (`Europe/Berlin`, `UTC`, …). */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

function parts(instant: number, timeZone: string): LocalTime & { second: number } {
  const values: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) values[part.type] = part.value;
  return {
    year: Number(values.year), month: Number(values.month), day: Number(values.day), weekday: weekdays.indexOf(values.weekday),
    hour: Number(values.hour), minute: Number(values.minute), second: Number(values.second),
  };
}

export function localTime(instant: number, timeZone: string): LocalTime {
  const { second: _second, ...local } = parts(instant, timeZone);
  return local;
}

/** Local minus UTC at `instant`, in ms (Berlin in summer: +2 h). */
export function zoneOffset(instant: number, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local date and time names. A time skipped by a DST jump (02:30 on a spring-forward day) moves
 * forward by the gap; a time that happens twice (fall-back) is the earlier one — as Temporal's "compatible".
 * `day` may overflow (day 32 = the 1st of the next month) and `minutes` may be 1440 (24:00 = next midnight).
 */
export function zonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  const offsets = [...new Set([zoneOffset(wall - 86_400_000, timeZone), zoneOffset(wall + 86_400_000, timeZone), zoneOffset(wall, timeZone)])];
  const matching = offsets.map((offset) => wall - offset).filter((instant) => instant + zoneOffset(instant, timeZone) === wall);
  if (matching.length > 0) return Math.min(...matching);
  return wall - Math.min(...offsets);
}
