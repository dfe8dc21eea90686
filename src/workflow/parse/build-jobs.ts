/** `jobs:` tokens → JobDefinitions, plus the run defaults and concurrency forms shared with the workflow level. */

import { isMapping, isString } from "@actions/workflow-parser";
import type { ConcurrencyDefinition, JobDefinition, ReusableWorkflowCall, RunDefaults, StrategyDefinition } from "../model";
import { buildSteps } from "./build-steps";
import { normalizeCondition } from "./condition";
import {
  entriesOf,
  entryOf,
  locationOf,
  stringListOf,
  stringOf,
  templateMapOf,
  templateValueOf,
  templateValueOr,
  type TemplateToken,
} from "./tokens";

export function buildJobs(file: string, jobs: TemplateToken | undefined): JobDefinition[] {
  return entriesOf(jobs).map(({ key, keyToken, value }) => buildJob(file, key, keyToken, value));
}

function buildJob(file: string, id: string, keyToken: TemplateToken, token: TemplateToken): JobDefinition {
  const job: JobDefinition = {
    id,
    loc: locationOf(file, keyToken),
    needs: stringListOf(entryOf(token, "needs")) ?? [],
    if: normalizeCondition(entryOf(token, "if")),
    outputs: templateMapOf(file, entryOf(token, "outputs")),
    env: templateValueOr(file, entryOf(token, "env"), {}),
    defaults: runDefaultsOf(entryOf(token, "defaults")),
    continueOnError: templateValueOr(file, entryOf(token, "continue-on-error"), false),
    timeoutMinutes: templateValueOr(file, entryOf(token, "timeout-minutes"), 360),
    steps: buildSteps(file, entryOf(token, "steps")),
  };
  const optional = {
    name: entryOf(token, "name"),
    runsOn: entryOf(token, "runs-on"),
    environment: entryOf(token, "environment"),
    container: entryOf(token, "container"),
    services: entryOf(token, "services"),
  };
  for (const [field, value] of Object.entries(optional) as [keyof typeof optional, TemplateToken | undefined][]) {
    if (value !== undefined) job[field] = templateValueOf(file, value);
  }
  const concurrency = entryOf(token, "concurrency");
  if (concurrency !== undefined) job.concurrency = concurrencyOf(file, concurrency);
  const strategy = entryOf(token, "strategy");
  if (strategy !== undefined) job.strategy = strategyOf(file, strategy);
  const uses = stringOf(entryOf(token, "uses"));
  if (uses !== undefined) job.call = reusableCallOf(file, uses, token);
  return job;
}

export function runDefaultsOf(defaults: TemplateToken | undefined): RunDefaults {
  const run = entryOf(defaults, "run");
  const result: RunDefaults = {};
  const shell = stringOf(entryOf(run, "shell"));
  if (shell !== undefined) result.shell = shell;
  const workingDirectory = stringOf(entryOf(run, "working-directory"));
  if (workingDirectory !== undefined) result.workingDirectory = workingDirectory;
  return result;
}

/** `concurrency: group-name` means `{ group: group-name, cancel-in-progress: false }`. */
export function concurrencyOf(file: string, token: TemplateToken): ConcurrencyDefinition {
  if (!isMapping(token)) {
    return { group: templateValueOf(file, token), cancelInProgress: false };
  }
  return {
    group: templateValueOf(file, entryOf(token, "group")),
    cancelInProgress: templateValueOr(file, entryOf(token, "cancel-in-progress"), false),
  };
}

function strategyOf(file: string, token: TemplateToken): StrategyDefinition {
  const strategy: StrategyDefinition = { failFast: templateValueOr(file, entryOf(token, "fail-fast"), true) };
  const matrix = entryOf(token, "matrix");
  if (matrix !== undefined) strategy.matrix = templateValueOf(file, matrix);
  const maxParallel = entryOf(token, "max-parallel");
  if (maxParallel !== undefined) strategy.maxParallel = templateValueOf(file, maxParallel);
  return strategy;
}

function reusableCallOf(file: string, uses: string, token: TemplateToken): ReusableWorkflowCall {
  const secrets = entryOf(token, "secrets");
  return {
    uses,
    with: templateMapOf(file, entryOf(token, "with")),
    secrets: secrets !== undefined && isString(secrets) && secrets.value === "inherit" ? "inherit" : templateMapOf(file, secrets),
  };
}
