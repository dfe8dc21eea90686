/** `slipway run`: run the repository's workflows locally for an event, exactly as the server would. */

import type { Command } from "commander";
import { basename } from "node:path";
import { SlipwayError } from "../../core/errors";
import { formatDiagnostic, type Workflow } from "../../workflow/model";
import { loadWorkflows, parseWorkflowFile } from "../../workflow/parse";
import { matchTrigger, resolveDispatchInputs } from "../../workflow/triggers";
import { buildLocalEvent } from "../../workflow/local/local-event";
import { eventNames, type EventName, type TriggerEvent } from "../../workflow/trigger-event";
import { createRunRecord, executeRecordedRun, type RecordedRun } from "../../workflow/recorded-run";
import { ConcurrencyGroups } from "../../workflow/engine/concurrency";
import { collect, loadSecrets, parseKeyValueFlags } from "../key-values";
import { localContext, openLocalStore } from "../local-context";
import { action, printJson } from "../output";
import { LiveRunView } from "../render/live-view";
import { RunInterrupts } from "../run-interrupts";
import { printDryRun } from "../render/dry-run";
import { runSummaryJson, printRunSummary } from "../render/run-summary";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

interface RunFlags {
  workflow?: string;
  event?: string;
  job?: string;
  input: string[];
  secret: string[];
  secretFile?: string;
  var: string[];
  ref?: string;
  rev?: string;
  base: string;
  action: string;
  maxParallel?: string;
  keepWorkspaces?: boolean;
  dryRun?: boolean;
  json?: boolean;
  repo?: string;
  data?: string;
  debug?: boolean;
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run the repository's workflows locally for an event, as the server would")
    .option("-W, --workflow <file>", "a workflow file (path or file name); default: every workflow the event triggers")
    .option("-e, --event <name>", `the event: ${eventNames.filter((e) => e !== "workflow_call").join(", ")} (default: push)`)
    .option("-j, --job <id>", "run only this job and the jobs it needs")
    .option("-i, --input <key=value>", "a workflow_dispatch input (repeatable)", collect, [])
    .option("-s, --secret <name[=value]>", "a secret; without a value it is read from the environment (repeatable)", collect, [])
    .option("--secret-file <file>", "secrets as NAME=VALUE lines")
    .option("--var <key=value>", "a configuration variable for the vars context (repeatable)", collect, [])
    .option("--rev <rev>", "the commit to run (default: HEAD)")
    .option("--ref <ref>", "the ref the event is for (default: the current branch)")
    .option("--base <branch>", "pull_request: the target branch", "main")
    .option("--action <type>", "pull_request: the activity type", "opened")
    .option("--max-parallel <n>", "how many jobs run at once (default: the CPU count)")
    .option("--keep-workspaces", "keep job workspaces after the run")
    .option("--debug", "print ::debug:: messages (ACTIONS_STEP_DEBUG)")
    .option("--dry-run", "print which jobs would run for this event and why others are skipped")
    .option("--json", "print the result as JSON")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--data <dir>", "where runs, logs, caches and artifacts are kept (default: .git/slipway)")
    .action(action(runCommand));
}

async function runCommand(flags: RunFlags): Promise<number> {
  const context = await localContext(flags);
  const workflows = await selectWorkflows(context.repoDir, flags.workflow);
  const eventName = chooseEvent(flags, workflows);
  const rawInputs = parseKeyValueFlags("--input", flags.input);
  const event = await buildLocalEvent({ repoDir: context.repoDir, event: eventName, rev: flags.rev, ref: flags.ref, base: flags.base, action: flags.action });
  const candidates = workflows.map((workflow) => ({ workflow, event: eventFor(workflow, event, rawInputs), match: matchTrigger(workflow, eventFor(workflow, event, rawInputs)) }));
  if (flags.workflow && !candidates[0]?.match.matched) {
    throw new SlipwayError("EVENT_NOT_TRIGGERED", `${candidates[0]?.workflow.file} is not triggered: ${candidates[0]?.match.reason}`, {
      hint: "Pick the event with --event (push, pull_request, workflow_dispatch, schedule), or --ref for a branch the workflow listens to.",
    });
  }
  const selected = candidates.filter((c) => c.match.matched);
  // Typed inputs are checked (and coerced) before anything is planned or run, --dry-run included.
  for (const { workflow, event: e } of selected) {
    if (workflow.on.workflowDispatch && e.name === "workflow_dispatch") e.inputs = resolveDispatchInputs(workflow.on.workflowDispatch.inputs, rawInputs);
  }
  if (flags.dryRun) {
    if (flags.job) assertJobExists(flags.job, candidates);
    return printDryRun(candidates, { json: flags.json === true, onlyJob: flags.job, vars: parseKeyValueFlags("--var", flags.var) });
  }
  if (selected.length === 0) {
    if (flags.json) printJson([]);
    else process.stderr.write(`No workflow is triggered by ${eventName} on ${event.ref}.\n`);
    return 0;
  }
  if (flags.job) assertJobExists(flags.job, selected);
  return executeSelected(context, selected, flags);
}

function assertJobExists(jobId: string, candidates: { workflow: Workflow }[]): void {
  if (!candidates.some((c) => c.workflow.jobs.some((j) => j.id === jobId))) {
    throw new SlipwayError("JOB_NOT_FOUND", `No job '${jobId}' in ${candidates.map((c) => c.workflow.file).join(", ")}.`);
  }
}

async function executeSelected(
  context: { repoDir: string; dataDir: string },
  selected: { workflow: Workflow; event: TriggerEvent }[],
  flags: RunFlags,
): Promise<number> {
  const secrets = await loadSecrets(flags.secretFile, flags.secret);
  const vars = parseKeyValueFlags("--var", flags.var);
  const maxParallelJobs = flags.maxParallel ? Number(flags.maxParallel) : undefined;
  if (maxParallelJobs !== undefined && (!Number.isInteger(maxParallelJobs) || maxParallelJobs < 1)) throw new SlipwayError("USAGE", "--max-parallel expects a positive whole number.");
  const store = await openLocalStore(context.dataDir);
  const interrupts = new RunInterrupts(store);
  interrupts.start();
  const concurrency = new ConcurrencyGroups();
  try {
    const results: RecordedRun[] = await Promise.all(
      selected.map(async ({ workflow, event }) => {
        const run = await createRunRecord(store, { workflow, event, repoDir: context.repoDir, dataDir: context.dataDir });
        interrupts.track(run.id);
        const view = flags.json ? undefined : new LiveRunView(`${workflow.name} · run ${run.id} · ${event.name} ${event.ref} @ ${event.sha.slice(0, 7)}`);
        view?.start();
        try {
          return await executeRecordedRun(store, run, {
            workflow,
            event,
            repoDir: context.repoDir,
            dataDir: context.dataDir,
            secrets,
            vars,
            onlyJob: flags.job,
            maxParallelJobs,
            signal: interrupts.controller.signal,
            listener: view,
            concurrency,
            keepWorkspaces: flags.keepWorkspaces,
            debug: flags.debug,
            loadWorkflow: (path) => loadWorkflowFile(context.repoDir, path),
          });
        } finally {
          view?.stop();
        }
      }),
    );
    if (flags.json) {
      const summaries = results.map(runSummaryJson);
      printJson(summaries.length === 1 ? summaries[0] : summaries);
    } else {
      for (const result of results) printRunSummary(result);
    }
    if (interrupts.interrupted) return 130;
    return results.every((r) => r.result.conclusion === "success") ? 0 : 1;
  } finally {
    interrupts.stop();
    await store.close();
  }
}

async function selectWorkflows(repoDir: string, requested: string | undefined): Promise<Workflow[]> {
  const loaded = await loadWorkflows(repoDir);
  const files = requested ? loaded.files.filter((f) => f === requested || basename(f) === requested || f === requested.replace(/^\.\//, "")) : loaded.files;
  if (requested && files.length === 0) {
    if (/\.ya?ml$/.test(requested)) return [await loadWorkflowFile(repoDir, requested)];
    throw new SlipwayError("WORKFLOW_NOT_FOUND", `No workflow '${requested}' (found: ${loaded.files.join(", ") || "none"}).`);
  }
  const problems = loaded.diagnostics.filter((d) => files.includes(d.file));
  for (const d of problems) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (problems.some((d) => d.severity === "error")) throw new SlipwayError("WORKFLOW_INVALID", "The workflow has errors; nothing was run.");
  if (files.length === 0) throw new SlipwayError("WORKFLOW_NOT_FOUND", `No workflows in ${repoDir}/.slipway/workflows or ${repoDir}/.github/workflows.`);
  return loaded.workflows.filter((w) => files.includes(w.file));
}

async function loadWorkflowFile(repoDir: string, path: string): Promise<Workflow> {
  let content: string;
  try {
    content = await readFile(join(repoDir, path), "utf8");
  } catch {
    throw new SlipwayError("WORKFLOW_NOT_FOUND", `Cannot read the workflow ${path}.`);
  }
  const parsed = await parseWorkflowFile(path, content);
  if (!parsed.workflow) {
    throw new SlipwayError("WORKFLOW_INVALID", `${path} has errors:\n${parsed.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic).join("\n")}`);
  }
  return parsed.workflow;
}

/** push by default; with one workflow that does not listen to push, its first supported trigger. */
function chooseEvent(flags: RunFlags, workflows: Workflow[]): EventName {
  if (flags.event) {
    if (!eventNames.includes(flags.event as EventName) || flags.event === "workflow_call") {
      throw new SlipwayError("USAGE", `--event must be one of push, pull_request, workflow_dispatch, schedule (got '${flags.event}').`);
    }
    return flags.event as EventName;
  }
  const only = flags.workflow ? workflows[0] : undefined;
  if (!only || only.on.push) return "push";
  if (only.on.pullRequest) return "pull_request";
  if (only.on.workflowDispatch) return "workflow_dispatch";
  if (only.on.schedule) return "schedule";
  return "push";
}

/** The event as one workflow sees it: a schedule fires one of its crons; dispatch carries the raw inputs. */
function eventFor(workflow: Workflow, event: TriggerEvent, inputs: Record<string, string>): TriggerEvent {
  if (event.name === "schedule") return { ...event, schedule: workflow.on.schedule?.[0]?.cron, payload: { ...event.payload, schedule: workflow.on.schedule?.[0]?.cron ?? "" } };
  if (event.name === "workflow_dispatch") return { ...event, inputs: { ...inputs } };
  return event;
}
