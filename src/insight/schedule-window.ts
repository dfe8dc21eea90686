/**
 * Uptime windows (kube-downscaler's syntax): `Mon-Fri 08:00-19:00 Europe/Berlin`, several separated by
 * commas, or `always` / `never`. Pure: whether an instant is inside, and when that next changes — in the
 * window's own time zone, so 08:00 stays 08:00 local across a daylight-saving change.
 */

import { SlipwayError } from "../core/errors";
import { isTimeZone, localTime, zonedInstant } from "./zoned-time";

export interface UptimeWindow {
  /** Weekdays the window starts on, 0 = Sunday. */
  days: Set<number>;
  /** Minutes after local midnight; end ≤ start runs past midnight into the next day; end may be 1440 (24:00). */
  start: number;
  end: number;
  timeZone: string;
}

export interface UptimeSchedule {
  spec: string;
  windows: UptimeWindow[];
  always: boolean;
}

const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function scheduleError(spec: string, message: string): SlipwayError {
  return new SlipwayError("REQUEST_INVALID", `uptime "${spec}": ${message}`, { hint: 'Write it as "Mon-Fri 08:00-19:00 Europe/Berlin" (several separated by commas), "always" or "never".' });
}

function parseDays(text: string, spec: string): Set<number> {
  const days = new Set<number>();
  for (const item of text.split("+")) {
    const [from, to = from, extra] = item.toLowerCase().split("-");
    const a = dayNames.indexOf(from.slice(0, 3));
    const b = dayNames.indexOf(to.slice(0, 3));
    if (extra !== undefined || a < 0 || b < 0 || from.length < 3 || to.length < 3) throw scheduleError(spec, `"${text}" is not a weekday or a range like Mon-Fri`);
    // Fri-Mon wraps around the weekend.
    for (let day = a; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === b) break;
    }
  }
  return days;
}

function parseClock(text: string, spec: string, allow24: boolean): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  const valid = match && minutes < 60 && (hours < 24 || (allow24 && hours === 24 && minutes === 0));
  if (!valid) throw scheduleError(spec, `"${text}" is not a time HH:MM`);
  return hours * 60 + minutes;
}

/** Throws REQUEST_INVALID naming the part that is wrong. */
export function parseUptime(spec: string): UptimeSchedule {
  const trimmed = spec.trim();
  if (/^always$/i.test(trimmed)) return { spec: trimmed, windows: [], always: true };
  if (/^never$/i.test(trimmed)) return { spec: trimmed, windows: [], always: false };
  const windows = trimmed.split(",").map((part) => {
    const fields = part.trim().split(/\s+/);
    if (fields.length !== 3) throw scheduleError(spec, `"${part.trim()}" needs three parts: days, HH:MM-HH:MM and a time zone`);
    const [days, range, timeZone] = fields;
    const [from, to, extra] = range.split("-");
    if (to === undefined || extra !== undefined) throw scheduleError(spec, `"${range}" is not a time range like 08:00-19:00`);
    if (!isTimeZone(timeZone)) throw scheduleError(spec, `"${timeZone}" is not a time zone (IANA names like Europe/Berlin, or UTC)`);
    const start = parseClock(from, spec, false);
    const end = parseClock(to, spec, true);
    if (start === end) throw scheduleError(spec, `"${range}" is empty`);
    return { days: parseDays(days, spec), start, end, timeZone };
  });
  return { spec: trimmed, windows, always: false };
}

function insideWindow(window: UptimeWindow, instant: number): boolean {
  const local = localTime(instant, window.timeZone);
  const minute = local.hour * 60 + local.minute;
  if (window.end > window.start) return window.days.has(local.weekday) && minute >= window.start && minute < window.end;
  // Past midnight: the evening part on a listed day, the morning part on the day after one.
  return (window.days.has(local.weekday) && minute >= window.start) || (window.days.has((local.weekday + 6) % 7) && minute < window.end);
}

export function isUptime(schedule: UptimeSchedule, instant: number): boolean {
  return schedule.always || schedule.windows.some((window) => insideWindow(window, instant));
}

/** The instants around `instant` (yesterday to 8 days on) at which any window starts or ends. */
function boundaries(schedule: UptimeSchedule, instant: number): number[] {
  const result: number[] = [];
  for (const window of schedule.windows) {
    const today = localTime(instant, window.timeZone);
    for (let offset = -1; offset <= 8; offset += 1) {
      const date = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
      if (!window.days.has(date.getUTCDay())) continue;
      const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
      result.push(zonedInstant(y, m, d, window.start, window.timeZone));
      result.push(window.end > window.start ? zonedInstant(y, m, d, window.end, window.timeZone) : zonedInstant(y, m, d + 1, window.end, window.timeZone));
    }
  }
  return result;
}

/** The first instant after `instant` at which uptime turns into downtime or back; undefined for always/never. */
export function nextChange(schedule: UptimeSchedule, instant: number): number | undefined {
  const now = isUptime(schedule, instant);
  const candidates = boundaries(schedule, instant).filter((at) => at > instant).sort((a, b) => a - b);
  return candidates.find((at) => isUptime(schedule, at) !== now);
}
