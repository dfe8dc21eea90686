/** Builds a corpus case's git repository and the trigger event each of its runs sends. */

import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Workflow } from "../../../src/workflow/model";
import { formatDiagnostic } from "../../../src/workflow/model";
import { loadWorkflows, parseWorkflowFile } from "../../../src/workflow/parse";
import { buildLocalEvent } from "../../../src/workflow/local/local-event";
import type { TriggerEvent } from "../../../src/workflow/trigger-event";
import { GitRepo } from "../../support/git-repo";
import type { CaseEvent, CorpusCase } from "./corpus-case";
import type { Placeholders } from "./observed-run";

export interface PreparedCase {
  repo: GitRepo;
  workflows: Workflow[];
  placeholders: Placeholders;
}

/** A repo whose first commit holds the case's files (without expect.json), then the case's extra commits, branches and tags. */
export async function prepareCase(corpusCase: CorpusCase): Promise<PreparedCase> {
  const repo = await GitRepo.create(`slipway-corpus-${corpusCase.id}-`);
  await repo.copyFrom(corpusCase.dir, ["expect.json"]);
  const first = await repo.commitAll(`initial: ${corpusCase.id}`);
  for (const commit of corpusCase.git?.commits ?? []) {
    await repo.writeFiles(commit.files);
    await repo.commitAll(commit.message);
  }
  for (const branch of corpusCase.git?.branches ?? []) await repo.branch(branch);
  for (const spec of corpusCase.git?.tags ?? []) {
    const [name = spec, at = "HEAD"] = spec.split("@");
    await repo.tag(name, at);
  }
  const loaded = await loadWorkflows(repo.dir);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${corpusCase.id}: workflows have errors:\n${errors.map(formatDiagnostic).join("\n")}`);
  const placeholders: Placeholders = { sha: await repo.sha("HEAD"), firstSha: first, repository: "local/repo", actor: "Mona Lisa" };
  return { repo, workflows: loaded.workflows, placeholders };
}

/** The event as `slipway run` builds it, with the case's overrides applied (changed paths, schedule). */
export async function caseEvent(repo: GitRepo, spec: CaseEvent): Promise<TriggerEvent> {
  const event = await buildLocalEvent({
    repoDir: repo.dir,
    event: spec.name,
    rev: spec.rev,
    ref: spec.ref ?? "refs/heads/main",
    base: spec.base,
    action: spec.action,
    schedule: spec.schedule,
  });
  if (spec.changedPaths) event.changedPaths = [...spec.changedPaths];
  return event;
}

/** The event one workflow sees: dispatch carries the raw inputs until they are resolved against its definitions. */
export function eventForWorkflow(event: TriggerEvent, spec: CaseEvent): TriggerEvent {
  if (event.name === "workflow_dispatch") return { ...event, inputs: { ...(spec.inputs ?? {}) } };
  return event;
}

/** Reads a called workflow (`jobs.<id>.uses: ./.github/workflows/x.yml`) from the working copy, as the CLI does. */
export function workflowLoader(repoDir: string): (path: string) => Promise<Workflow> {
  return async (path) => {
    const parsed = await parseWorkflowFile(path, await readFile(join(repoDir, path), "utf8"));
    if (!parsed.workflow) throw new Error(`${path} has errors: ${parsed.diagnostics.map(formatDiagnostic).join("; ")}`);
    return parsed.workflow;
  };
}

export function workflowKey(workflow: Workflow): string {
  return basename(workflow.file);
}
