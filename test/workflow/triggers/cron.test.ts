/** Table tests for GitHub cron validation and next-run computation in UTC. */

import { describe, expect, it } from "vitest";
import { nextCronRun, validateCron } from "../../../src/workflow/triggers";

describe("validateCron", () => {
  it.each([["*/15 * * * *"], ["0 3 * * 1-5"], ["30 5,17 * * *"], ["0 0 1 JAN,jul *"], ["0 12 * * SUN"], ["0 0 * * 7"], ["5-55/10 * * * *"]])(
    "%s is valid",
    (expr) => {
      expect(validateCron(expr)).toBeUndefined();
    },
  );

  it.each([
    ["* * * *", /must have 5 fields/],
    ["0 * * * * *", /must have 5 fields.*found 6/],
    ["60 * * * *", /60 is out of range 0-59 for minute/],
    ["0 24 * * *", /out of range 0-23 for hour/],
    ["0 0 0 * *", /out of range 1-31 for day of month/],
    ["0 0 * 13 *", /out of range 1-12 for month/],
    ["0 0 * * 8", /out of range 0-7 for day of week/],
    ["0 0 ? * *", /"\?" is not a valid day of month/],
    ["0 0 L * *", /"L" is not a valid day of month/],
    ["0 0 * * MON#2", /not a valid day of week/],
    ["*/0 * * * *", /step "0" must be a positive integer/],
    ["5-1 * * * *", /runs backwards/],
    ["0 0 31 2 *", /never matches a date/],
    ["@daily", /must have 5 fields/],
    ["1,,2 * * * *", /empty list item/],
  ])("%s is rejected", (expr, message) => {
    expect(validateCron(expr)).toMatch(message);
  });
});

describe("nextCronRun", () => {
  it.each([
    ["*/15 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:15:00.000Z"],
    ["*/15 * * * *", "2024-01-01T00:07:30Z", "2024-01-01T00:15:00.000Z"],
    ["0 3 * * 1-5", "2024-01-05T04:00:00Z", "2024-01-08T03:00:00.000Z"],
    ["0 0 1 * MON", "2024-01-01T00:00:00Z", "2024-01-08T00:00:00.000Z"],
    ["30 23 31 12 *", "2024-06-01T00:00:00Z", "2024-12-31T23:30:00.000Z"],
    ["0 0 29 2 *", "2024-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
  ])("%s after %s", (expr, after, expected) => {
    expect(nextCronRun(expr, new Date(after)).toISOString()).toBe(expected);
  });

  it("throws WORKFLOW_INVALID on a bad schedule", () => {
    expect(() => nextCronRun("61 * * * *", new Date())).toThrow(/out of range/);
  });
});
