/**
 * What a server finds on start after a crash (SIGKILL, power loss) of the previous one on the same data
 * directory: step processes that outlived it, and runs that were in progress. Runs are not resumed: they
 * are marked failed (their logs up to the crash stay), and so are the checks they left unfinished.
 */

import { join } from "node:path";
import { describeError } from "../../core/errors";
import type { Store } from "../../store";
import { killProcessesWithEnvironment } from "../../workflow/executors/host";

export const interruptedRunMessage = "The server stopped while this run was in progress (it was not resumed).";

/**
 * Every step the engine starts carries `RUNNER_TOOL_CACHE=<data dir>/tool-cache` in its environment,
 * inherited by everything it forks (setsid and double forks included): a marker of this data directory.
 * Steps run detached in their own process groups, so they survive a SIGKILLed server; the data lock
 * guarantees no live server owns them any more.
 */
export async function killOrphanedSteps(dataDir: string): Promise<number[]> {
  return killProcessesWithEnvironment("RUNNER_TOOL_CACHE", join(dataDir, "tool-cache"), { graceMs: 1000 });
}

export async function recoverInterruptedRuns(store: Store, log: (message: string) => void): Promise<number[]> {
  const interrupted = await store.runs.markUnfinishedRunsFailed(interruptedRunMessage);
  for (const runId of interrupted) {
    try {
      await failUnfinishedChecks(store, runId);
    } catch (error) {
      log(`recovery of run ${runId}'s checks: ${describeError(error)}`);
    }
  }
  return interrupted;
}

async function failUnfinishedChecks(store: Store, runId: number): Promise<void> {
  const run = await store.runs.getRun(runId);
  const [owner, name] = run?.repo.split("/") ?? [];
  const repo = owner && name ? await store.repos.findRepo(owner, name) : undefined;
  if (!run || !repo) return;
  for (const check of await store.checks.listChecks(repo.id, run.sha)) {
    if (check.runId !== runId || check.status === "completed") continue;
    await store.checks.upsertCheck({ repoId: repo.id, sha: run.sha, name: check.name, runId, status: "completed", conclusion: "failure" });
  }
}
