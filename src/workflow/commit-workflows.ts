/** Workflows as they are at a commit of a (bare) repository: what the server runs for a push. */

import path from "node:path";
import { git, gitMaybe } from "../git/git-cli";
import type { Diagnostic, Workflow } from "./model";
import { parseWorkflowFile, sortDiagnostics, type LoadedWorkflows } from "./parse";
import { workflowFolders } from "./parse/load-workflows";

async function filesAt(repoPath: string, sha: string, folder: string): Promise<string[] | undefined> {
  const out = await gitMaybe(["ls-tree", "--name-only", "-z", `${sha}:${folder}`], repoPath);
  if (out === undefined) return undefined;
  return out
    .split("\0")
    .filter((name) => /\.ya?ml$/i.test(name))
    .sort()
    .map((name) => path.posix.join(folder, name));
}

export async function readFileAtCommit(repoPath: string, sha: string, file: string): Promise<string> {
  return git(["show", `${sha}:${file}`], repoPath);
}

export async function loadWorkflowsAtCommit(repoPath: string, sha: string): Promise<LoadedWorkflows> {
  for (const folder of workflowFolders) {
    const files = await filesAt(repoPath, sha, folder);
    if (files === undefined) continue;
    const workflows: Workflow[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const file of files) {
      const parsed = await parseWorkflowFile(file, await readFileAtCommit(repoPath, sha, file));
      if (parsed.workflow) workflows.push(parsed.workflow);
      diagnostics.push(...parsed.diagnostics);
    }
    return { files, workflows, diagnostics: sortDiagnostics(diagnostics) };
  }
  return { files: [], workflows: [], diagnostics: [] };
}
