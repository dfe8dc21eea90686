/** Uptime windows with an injected clock: parsing, in/out of uptime and the next change in Europe/Berlin across both 2026 daylight-saving changes, overrides and replica-hours. */

import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock";
import { decidePower, overrideEnd, replicaHoursSaved, type SleepPeriod } from "../../src/insight/schedule-power";
import { isUptime, nextChange, parseUptime } from "../../src/insight/schedule-window";
import { zonedInstant } from "../../src/insight/zoned-time";

const berlin = parseUptime("Mon-Fri 08:00-19:00 Europe/Berlin");
const utc = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined | null): string | undefined => (ms === undefined || ms === null ? undefined : new Date(ms).toISOString());

describe("parseUptime", () => {
  it.each([
    ["Mon-Fri 08:00", "needs three parts"],
    ["Mon-Fri 8-19 Europe/Berlin", 'is not a time HH:MM'],
    ["Mon-Fri 08:00-19:00 Mars/Olympus", "is not a time zone"],
    ["Mon-Fry 08:00-19:00 UTC", "is not a weekday"],
    ["Mon 25:00-26:00 UTC", "is not a time HH:MM"],
    ["Mon 08:00-08:00 UTC", "is empty"],
  ])("rejects %j precisely", (spec, message) => {
    expect(() => parseUptime(spec)).toThrow(message);
  });

  it("reads ranges, single days, wrap-around ranges, several windows, always and never", () => {
    expect([...parseUptime("Fri-Mon 10:00-12:00 UTC").windows[0].days].sort()).toEqual([0, 1, 5, 6]);
    expect(parseUptime("Sat 10:00-14:00 UTC, Mon-Fri 07:30-20:30 Europe/Berlin").windows).toHaveLength(2);
    expect(isUptime(parseUptime("always"), 0)).toBe(true);
    expect(isUptime(parseUptime("never"), 0)).toBe(false);
  });
});

describe("an uptime window in Europe/Berlin", () => {
  it("is up on weekdays between 08:00 and 19:00 local time, in winter (UTC+1) and summer (UTC+2)", () => {
    // Wednesday 2026-01-14: 08:00 Berlin = 07:00 UTC.
    expect(isUptime(berlin, utc("2026-01-14T06:59:00Z"))).toBe(false);
    expect(isUptime(berlin, utc("2026-01-14T07:00:00Z"))).toBe(true);
    expect(isUptime(berlin, utc("2026-01-14T17:59:00Z"))).toBe(true);
    expect(isUptime(berlin, utc("2026-01-14T18:00:00Z"))).toBe(false);
    // Wednesday 2026-07-15: 08:00 Berlin = 06:00 UTC.
    expect(isUptime(berlin, utc("2026-07-15T05:59:00Z"))).toBe(false);
    expect(isUptime(berlin, utc("2026-07-15T06:00:00Z"))).toBe(true);
    expect(isUptime(berlin, utc("2026-07-15T16:59:00Z"))).toBe(true);
    expect(isUptime(berlin, utc("2026-07-15T17:00:00Z"))).toBe(false);
    // Saturday.
    expect(isUptime(berlin, utc("2026-07-18T10:00:00Z"))).toBe(false);
  });

  it("moves with the clocks across the spring-forward weekend (2026-03-29)", () => {
    // Friday 2026-03-27 19:00 CET = 18:00 UTC ends uptime; the next start is Monday 08:00 CEST = 06:00 UTC.
    const clock = new ManualClock(utc("2026-03-27T17:30:00Z"));
    expect(iso(nextChange(berlin, clock.now()))).toBe("2026-03-27T18:00:00.000Z");
    clock.set(utc("2026-03-27T18:00:00Z"));
    expect(isUptime(berlin, clock.now())).toBe(false);
    expect(iso(nextChange(berlin, clock.now()))).toBe("2026-03-30T06:00:00.000Z");
    clock.set(utc("2026-03-30T05:59:00Z"));
    expect(isUptime(berlin, clock.now())).toBe(false);
    clock.advance(60_000);
    expect(isUptime(berlin, clock.now())).toBe(true);
    expect(iso(nextChange(berlin, clock.now()))).toBe("2026-03-30T17:00:00.000Z");
  });

  it("moves with the clocks across the fall-back weekend (2026-10-25)", () => {
    const clock = new ManualClock(utc("2026-10-23T16:00:00Z"));
    // Friday 19:00 CEST = 17:00 UTC; Monday 08:00 CET = 07:00 UTC.
    expect(iso(nextChange(berlin, clock.now()))).toBe("2026-10-23T17:00:00.000Z");
    clock.set(utc("2026-10-24T12:00:00Z"));
    expect(iso(nextChange(berlin, clock.now()))).toBe("2026-10-26T07:00:00.000Z");
    clock.set(utc("2026-10-26T06:30:00Z"));
    expect(isUptime(berlin, clock.now())).toBe(false);
    clock.set(utc("2026-10-26T07:00:00Z"));
    expect(isUptime(berlin, clock.now())).toBe(true);
  });

  it("resolves a window starting inside the skipped hour to the end of the gap, and a repeated hour to its first occurrence", () => {
    // 02:30 does not exist in Berlin on 2026-03-29: 03:30 CEST = 01:30 UTC.
    expect(iso(zonedInstant(2026, 3, 29, 150, "Europe/Berlin"))).toBe("2026-03-29T01:30:00.000Z");
    // 02:30 happens twice on 2026-10-25: first at CEST (00:30 UTC).
    expect(iso(zonedInstant(2026, 10, 25, 150, "Europe/Berlin"))).toBe("2026-10-25T00:30:00.000Z");
    const night = parseUptime("Sun 02:30-04:00 Europe/Berlin");
    expect(iso(nextChange(night, utc("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:30:00.000Z");
    expect(isUptime(night, utc("2026-03-29T01:45:00Z"))).toBe(true);
    expect(iso(nextChange(night, utc("2026-03-29T01:45:00Z")))).toBe("2026-03-29T02:00:00.000Z");
  });

  it("handles windows past midnight", () => {
    const nights = parseUptime("Fri 22:00-06:00 UTC");
    expect(isUptime(nights, utc("2026-01-16T23:00:00Z"))).toBe(true); // Friday night
    expect(isUptime(nights, utc("2026-01-17T05:59:00Z"))).toBe(true); // Saturday morning
    expect(isUptime(nights, utc("2026-01-17T06:00:00Z"))).toBe(false);
    expect(iso(nextChange(nights, utc("2026-01-16T12:00:00Z")))).toBe("2026-01-16T22:00:00.000Z");
    expect(iso(nextChange(nights, utc("2026-01-16T23:00:00Z")))).toBe("2026-01-17T06:00:00.000Z");
  });
});

describe("decidePower and overrides", () => {
  const uptime = "Mon-Fri 08:00-19:00 Europe/Berlin";

  it("follows the schedule, and an override until it ends", () => {
    const clock = new ManualClock(utc("2026-03-27T19:00:00Z")); // Friday evening: asleep
    expect(decidePower({ uptime, override: null }, clock.now())).toEqual({ state: "asleep", reason: "schedule", until: utc("2026-03-30T06:00:00Z") });
    const wake = { state: "awake" as const, until: overrideEnd(uptime, "awake", clock.now(), 2 * 3_600_000) };
    expect(decidePower({ uptime, override: wake }, clock.now())).toEqual({ state: "awake", reason: "override", until: utc("2026-03-27T21:00:00Z") });
    clock.advance(2 * 3_600_000);
    expect(decidePower({ uptime, override: wake }, clock.now()).state).toBe("asleep");
    expect(decidePower({ uptime: null, override: null }, clock.now())).toEqual({ state: "awake", reason: "no schedule" });
  });

  it("ends a sleep without --for when uptime next begins, and a wake when downtime next begins", () => {
    const wednesdayNoon = utc("2026-03-25T11:00:00Z");
    expect(iso(overrideEnd(uptime, "asleep", wednesdayNoon))).toBe("2026-03-26T07:00:00.000Z");
    expect(iso(overrideEnd(uptime, "awake", wednesdayNoon))).toBe("2026-03-25T18:00:00.000Z");
    const saturday = utc("2026-03-28T11:00:00Z");
    expect(iso(overrideEnd(uptime, "awake", saturday))).toBe("2026-03-30T17:00:00.000Z");
    expect(overrideEnd(null, "asleep", saturday)).toBeNull();
  });

  it("counts replica-hours saved inside the period, an open sleep up to now", () => {
    const h = 3_600_000;
    const sleeps: SleepPeriod[] = [
      { replicas: { "web/web": 2, "api/api": 1 }, startedAt: 0, endedAt: 10 * h },
      { replicas: { "web/web": 2 }, startedAt: 20 * h, endedAt: null },
    ];
    expect(replicaHoursSaved(sleeps, 0, 24 * h)).toBe(3 * 10 + 2 * 4);
    expect(replicaHoursSaved(sleeps, 5 * h, 22 * h)).toBe(3 * 5 + 2 * 2);
  });
});
