/**
 * `slipway hooks install`: git hooks for a working copy. pre-commit runs the repo's lint job through the
 * engine on exactly the staged changes; commit-msg checks the conventional-commit format.
 */

import type { Command } from "commander";
import { readFile } from "node:fs/promises";
import { realpathSync } from "node:fs";
import { installClientHooks, stagedTreeCommit } from "../../git/hook-scripts";
import { parseConventionalCommit } from "../../release/conventional-commit";
import { loadWorkflows } from "../../workflow/parse";
import { buildLocalEvent } from "../../workflow/local/local-event";
import { runWorkflow } from "../../workflow/engine/run-workflow";
import { localContext } from "../local-context";
import { action } from "../output";
import { LiveRunView } from "../render/live-view";

const conventionalTypes = ["feat", "fix", "perf", "refactor", "docs", "test", "build", "ci", "chore", "style", "revert"];

export function registerHooksCommand(program: Command): void {
  const hooks = program.command("hooks").description("git hooks that run slipway checks before a commit");
  hooks
    .command("install")
    .description("install pre-commit (runs the lint job on the staged changes) and commit-msg (conventional commits)")
    .option("--force", "replace existing hooks that slipway did not write")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .action(
      action(async (flags: { force?: boolean; repo?: string }) => {
        const { repoDir } = await localContext({ repo: flags.repo });
        // The hooks call back the same slipway that installed them (bin/slipway.js, however it was invoked).
        const bin = realpathSync(process.argv[1] ?? "slipway");
        const result = await installClientHooks(repoDir, bin, flags.force === true);
        for (const hook of result.installed) process.stdout.write(`installed ${hook}\n`);
        for (const hook of result.skipped) process.stdout.write(`kept your existing ${hook} hook (use --force to replace it)\n`);
        return 0;
      }),
    );
  const run = hooks.command("run").description("what the installed hooks call");
  run.command("commit-msg").argument("<file>").action(action(async (file: string) => checkCommitMessage(await readFile(file, "utf8"))));
  run
    .command("pre-commit")
    .option("--job <id>", "the job to run", "lint")
    .action(action(async (flags: { job: string }) => preCommit(flags.job)));
}

export function checkCommitMessage(message: string): number {
  const text = message.split("\n").filter((line) => !line.startsWith("#")).join("\n").trim();
  if (/^(Merge|Revert|fixup!|squash!|amend!)/.test(text)) return 0;
  const commit = parseConventionalCommit({ sha: "", parents: [], message: text, files: [] });
  if (commit.type && conventionalTypes.includes(commit.type)) return 0;
  const header = text.split("\n")[0] ?? "";
  process.stderr.write(
    `slipway: the commit message is not a conventional commit:\n  ${header}\n` +
      `expected 'type(scope)!: subject' with type one of ${conventionalTypes.join(", ")}, e.g. 'feat(auth): add two-factor authentication'\n`,
  );
  return 1;
}

async function preCommit(jobId: string): Promise<number> {
  const { repoDir, dataDir } = await localContext({});
  const loaded = await loadWorkflows(repoDir);
  const workflow = loaded.workflows.find((w) => w.jobs.some((j) => j.id === jobId));
  if (!workflow) {
    process.stderr.write(`slipway pre-commit: no workflow has a '${jobId}' job; nothing to check.\n`);
    return 0;
  }
  const sha = await stagedTreeCommit(repoDir);
  const event = { ...(await buildLocalEvent({ repoDir, event: "push", rev: sha })), sha };
  const view = new LiveRunView(`pre-commit: ${workflow.name} › ${jobId} on the staged changes`);
  view.start();
  const result = await runWorkflow({ workflow, event, repoDir, dataDir, runId: 0, runNumber: 0, onlyJob: jobId, listener: view }).finally(() => view.stop());
  if (result.conclusion === "success") return 0;
  process.stderr.write(`slipway: the '${jobId}' job ${result.conclusion === "cancelled" ? "was cancelled" : "failed"} on the staged changes; commit refused (git commit --no-verify skips the check).\n`);
  return 1;
}
