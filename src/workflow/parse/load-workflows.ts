/** Workflow discovery: `.slipway/workflows/*.yml|yaml` if that folder exists, else `.github/workflows/`. */

import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic, Workflow } from "../model";
import { sortDiagnostics } from "./diagnostics";
import { parseWorkflowFile } from "./parse-workflow-file";

export const workflowFolders = [".slipway/workflows", ".github/workflows"] as const;

export interface LoadedWorkflows {
  /** Repo-relative paths of the workflow files, sorted. */
  files: string[];
  /** The files that parsed without errors, in file order. */
  workflows: Workflow[];
  diagnostics: Diagnostic[];
}

/** The workflow folder in use (repo-relative), or undefined when the repo has neither. */
export async function findWorkflowFolder(repoDir: string): Promise<string | undefined> {
  for (const folder of workflowFolders) {
    if (await isDirectory(path.join(repoDir, folder))) return folder;
  }
  return undefined;
}

/** The `*.yml` / `*.yaml` files directly inside a folder, sorted by name. */
export async function listWorkflowFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export async function loadWorkflows(repoDir: string): Promise<LoadedWorkflows> {
  const folder = await findWorkflowFolder(repoDir);
  if (folder === undefined) return { files: [], workflows: [], diagnostics: [] };
  const files = (await listWorkflowFiles(path.join(repoDir, folder))).map((name) => path.posix.join(folder, name));
  const workflows: Workflow[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const parsed = await parseWorkflowFile(file, await readFile(path.join(repoDir, file), "utf8"));
    if (parsed.workflow) workflows.push(parsed.workflow);
    diagnostics.push(...parsed.diagnostics);
  }
  return { files, workflows, diagnostics: sortDiagnostics(diagnostics) };
}

export async function isDirectory(target: string): Promise<boolean> {
  try {
    return (await stat(target)).isDirectory();
  } catch {
    return false;
  }
}
