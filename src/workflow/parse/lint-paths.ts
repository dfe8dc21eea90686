/** What `slipway lint` checks: the repo's workflows, or the files and folders given, each diagnostic under the path as given. */

import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { describeError } from "../../core/errors";
import type { Diagnostic } from "../model";
import { diagnosticAt, sortDiagnostics } from "./diagnostics";
import { findWorkflowFolder, listWorkflowFiles } from "./load-workflows";
import { parseWorkflowFile } from "./parse-workflow-file";

export interface LintResult {
  /** The files checked, as shown in diagnostics, sorted. */
  files: string[];
  diagnostics: Diagnostic[];
}

/**
 * No paths: the workflows of the repository holding `cwd` (git toplevel, else `cwd`), shown repo-relative.
 * A file: that file. A folder: its workflow folder if it is a repository, else its `*.yml|yaml` files.
 */
export async function lintPaths(paths: string[], cwd: string): Promise<LintResult> {
  const targets: { shown: string; absolute: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  if (paths.length === 0) {
    const root = await repositoryRoot(cwd);
    if ((await findWorkflowFolder(root)) !== undefined) targets.push(...(await workflowsIn(root, "")));
  }
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const kind = await pathKind(absolute);
    if (kind === "file") targets.push({ shown: given, absolute });
    else if (kind === "directory") targets.push(...(await workflowsIn(absolute, given)));
    else diagnostics.push(diagnosticAt({ file: given, line: 1, column: 1 }, "error", "file-unreadable", "no such file or directory"));
  }
  const unique = [...new Map(targets.map((target) => [target.shown, target])).values()].sort((a, b) => (a.shown < b.shown ? -1 : 1));
  for (const target of unique) diagnostics.push(...(await lintFile(target.shown, target.absolute)));
  return { files: unique.map((target) => target.shown), diagnostics: sortDiagnostics(diagnostics) };
}

async function lintFile(shown: string, absolute: string): Promise<Diagnostic[]> {
  let content: string;
  try {
    content = await readFile(absolute, "utf8");
  } catch (error) {
    return [diagnosticAt({ file: shown, line: 1, column: 1 }, "error", "file-unreadable", `cannot read the file: ${describeError(error)}`)];
  }
  return (await parseWorkflowFile(shown, content)).diagnostics;
}

/** A repository folder → its discovered workflows; any other folder → the workflow files directly in it. */
async function workflowsIn(dir: string, shownDir: string): Promise<{ shown: string; absolute: string }[]> {
  const folder = await findWorkflowFolder(dir);
  const filesDir = folder === undefined ? dir : path.join(dir, folder);
  const shownFilesDir = folder === undefined ? shownDir : path.posix.join(shownDir, folder);
  return (await listWorkflowFiles(filesDir)).map((name) => ({
    shown: shownFilesDir === "" ? name : path.posix.join(shownFilesDir, name),
    absolute: path.join(filesDir, name),
  }));
}

async function pathKind(target: string): Promise<"file" | "directory" | "missing"> {
  try {
    const info = await stat(target);
    return info.isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}

/** The git toplevel holding `cwd`, or `cwd` itself outside a git working copy. */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("git", ["rev-parse", "--show-toplevel"], { cwd });
    const root = stdout.trim();
    return root === "" ? cwd : root;
  } catch {
    return cwd;
  }
}
