/** Trigger checks: schedule crons (croner and GitHub's rules) and workflow_dispatch / workflow_call inputs. */

import { isBasicExpression, isBoolean, isNumber, isString } from "@actions/workflow-parser";
import { isValidCron } from "@actions/workflow-parser/model/converter/cron";
import { Cron } from "croner";
import type { Diagnostic } from "../model";
import { eventsOf } from "./build-triggers";
import { diagnosticAt } from "./diagnostics";
import { describeError } from "../../core/errors";
import { entriesOf, entryOf, itemsOf, locationOf, scalarTextOf, stringOf, type TemplateToken } from "./tokens";

const minimumIntervalMinutes = 5;
const dispatchInputTypes = ["string", "choice", "boolean", "number", "environment"];
const callInputTypes = ["string", "boolean", "number"];

export function checkTriggers(file: string, on: TemplateToken | undefined): Diagnostic[] {
  return eventsOf(on).flatMap(({ name, config }) => {
    if (name === "schedule") return itemsOf(config).flatMap((item) => checkCron(file, entryOf(item, "cron")));
    if (name === "workflow_dispatch" || name === "workflow_call") {
      const types = name === "workflow_call" ? callInputTypes : dispatchInputTypes;
      return entriesOf(entryOf(config, "inputs")).flatMap(({ key, value }) => checkInput(file, `on.${name}.inputs.${key}`, value, types));
    }
    return [];
  });
}

function checkCron(file: string, token: TemplateToken | undefined): Diagnostic[] {
  const cron = stringOf(token);
  if (cron === undefined) return [];
  const loc = locationOf(file, token);
  const fields = cron.trim().split(/\s+/).filter((field) => field !== "");
  if (fields.length !== 5) {
    const message = `cron '${cron}' has ${fields.length} field${fields.length === 1 ? "" : "s"}; a schedule takes 5: minute hour day-of-month month day-of-week`;
    return [diagnosticAt(loc, "error", "cron", message)];
  }
  let schedule: Cron;
  try {
    schedule = new Cron(fields.join(" "), { paused: true });
  } catch (error) {
    return [diagnosticAt(loc, "error", "cron", `invalid cron '${cron}': ${describeError(error)}`)];
  }
  if (!isValidCron(fields.join(" "))) {
    const message = `invalid cron '${cron}': GitHub accepts numbers, names, '*', ',', '-' and '/' within each field's range only`;
    return [diagnosticAt(loc, "error", "cron", message)];
  }
  const interval = shortestIntervalMinutes(schedule);
  if (interval !== undefined && interval < minimumIntervalMinutes) {
    const message = `cron '${cron}' runs every ${interval} minute${interval === 1 ? "" : "s"}; GitHub runs schedules at most every ${minimumIntervalMinutes} minutes`;
    return [diagnosticAt(loc, "warning", "cron-interval", message)];
  }
  return [];
}

/** The shortest gap between runs over a sample of consecutive runs from a fixed date. */
function shortestIntervalMinutes(schedule: Cron): number | undefined {
  const runs = schedule.nextRuns(120, new Date(Date.UTC(2030, 0, 1)));
  let shortest: number | undefined;
  for (let i = 1; i < runs.length; i++) {
    const minutes = Math.round((runs[i].getTime() - runs[i - 1].getTime()) / 60_000);
    if (shortest === undefined || minutes < shortest) shortest = minutes;
  }
  return shortest;
}

function checkInput(file: string, path: string, input: TemplateToken, types: string[]): Diagnostic[] {
  const type = stringOf(entryOf(input, "type")) ?? "string";
  // An unknown type is the schema's error already; options and defaults mean nothing without a type.
  if (!types.includes(type)) return [];
  const optionsToken = entryOf(input, "options");
  const options = itemsOf(optionsToken).flatMap((item) => scalarTextOf(item) ?? []);
  const diagnostics: Diagnostic[] = [];
  if (type === "choice" && options.length === 0) {
    diagnostics.push(diagnosticAt(locationOf(file, input), "error", "input-options", `choice input ${path} needs a non-empty \`options:\` list`));
  } else if (type !== "choice" && optionsToken !== undefined) {
    diagnostics.push(diagnosticAt(locationOf(file, input), "error", "input-options", `input ${path} has \`options:\` but its type is '${type}', not 'choice'`));
  }
  const defaultToken = entryOf(input, "default");
  if (defaultToken === undefined || isBasicExpression(defaultToken)) return diagnostics;
  const problem = defaultProblem(type, defaultToken, options);
  if (problem !== undefined) {
    diagnostics.push(diagnosticAt(locationOf(file, defaultToken), "error", "input-default", `input ${path}: ${problem}`));
  }
  return diagnostics;
}

function defaultProblem(type: string, token: TemplateToken, options: string[]): string | undefined {
  const shown = scalarTextOf(token) ?? "";
  switch (type) {
    case "boolean":
      return isBoolean(token) ? undefined : `default '${shown}' is not a boolean: write true or false without quotes`;
    case "number":
      return isNumber(token) || (isString(token) && token.value.trim() !== "" && Number.isFinite(Number(token.value)))
        ? undefined
        : `default '${shown}' is not a number`;
    case "choice":
      if (!isString(token)) return `default ${shown} is not a string: quote it`;
      return options.includes(token.value) ? undefined : `default '${token.value}' is not one of its options (${options.join(", ")})`;
    case "string":
    case "environment":
      return isString(token) ? undefined : `default ${shown} is not a string: quote it`;
    default:
      return undefined;
  }
}
