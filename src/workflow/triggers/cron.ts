/** GitHub's 5-field cron schedules (UTC): validation with clear messages and the next run time, on croner. */

import { Cron } from "croner";
import { SlipwayError } from "../../core/errors";

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

const cronFields: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: months },
  // 7 is accepted as Sunday, as in most cron implementations.
  { name: "day of week", min: 0, max: 7, names: weekdays },
];

function parseFieldValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return field === cronFields[3] ? index + 1 : index;
}

function checkFieldItem(item: string, field: CronField): string | undefined {
  const [rangeText, stepText, extra] = item.split("/");
  if (extra !== undefined) return `"${item}" has more than one "/"`;
  if (stepText !== undefined && !/^[1-9]\d*$/.test(stepText)) return `step "${stepText}" must be a positive integer`;
  if (rangeText === "*") return undefined;
  const bounds = rangeText.split("-");
  if (bounds.length > 2) return `"${item}" is not a value or a range`;
  const values = bounds.map((bound) => parseFieldValue(bound, field));
  for (const [index, value] of values.entries()) {
    if (value === undefined) return `"${bounds[index]}" is not a valid ${field.name}`;
    if (value < field.min || value > field.max) return `${value} is out of range ${field.min}-${field.max} for ${field.name}`;
  }
  if (values.length === 2 && (values[0] as number) > (values[1] as number)) return `range "${rangeText}" runs backwards`;
  return undefined;
}

/** An error message for lint, or undefined when `expr` is a valid GitHub cron schedule. */
export function validateCron(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5) {
    return `cron "${expr}" must have 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  for (const [index, text] of fields.entries()) {
    const field = cronFields[index];
    for (const item of text.split(",")) {
      const problem = item === "" ? "an empty list item" : checkFieldItem(item, field);
      if (problem) return `cron "${expr}": ${field.name} field "${text}": ${problem}`;
    }
  }
  try {
    const next = scheduleFor(expr).nextRun(new Date(Date.UTC(2000, 0, 1)));
    if (!next) return `cron "${expr}" never matches a date`;
  } catch (error) {
    return `cron "${expr}": ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

function scheduleFor(expr: string): Cron {
  return new Cron(expr.trim(), { timezone: "UTC", paused: true });
}

/** The first time strictly after `after` at which the schedule fires (UTC); throws WORKFLOW_INVALID on a bad schedule. */
export function nextCronRun(expr: string, after: Date): Date {
  const problem = validateCron(expr);
  if (problem) throw new SlipwayError("WORKFLOW_INVALID", problem);
  const next = scheduleFor(expr).nextRun(after);
  if (!next) throw new SlipwayError("WORKFLOW_INVALID", `cron "${expr}" has no run after ${after.toISOString()}`);
  return next;
}

/** Two cron strings that differ only in whitespace name the same schedule. */
export function sameCron(a: string, b: string): boolean {
  return a.trim().split(/\s+/).join(" ") === b.trim().split(/\s+/).join(" ");
}
