/** `slipway release`: next versions from conventional commits, CHANGELOG.md and tags, as a table or JSON; releases go into the local store. */

import type { Command } from "commander";
import { repositoryName } from "../../git/local-repo";
import { applyRelease, planRelease, type ReleasePlan, type ReleaseResult } from "../../release";
import { localContext, openLocalStore } from "../local-context";
import { action, printJson } from "../output";
import { renderTable, styleFor } from "../render/style";

interface ReleaseFlags {
  dryRun?: boolean;
  json?: boolean;
  service?: string[];
  repo?: string;
  commit: boolean;
  prerelease?: string;
  push?: boolean;
  remote: string;
}

export function registerReleaseCommand(program: Command): void {
  program
    .command("release")
    .description("release every service with releasable commits: next semver, CHANGELOG.md, annotated tag")
    .option("--dry-run", "show what would be released; change nothing")
    .option("--json", "print [{service, previousVersion, nextVersion, bump, tag, changelog}]")
    .option("-s, --service <name...>", "only these services")
    .option("--repo <dir>", "the repository (default: the current directory)")
    .option("--no-commit", "tag only: do not write and commit CHANGELOG.md")
    .option("--prerelease <channel>", "release a prerelease on this channel (e.g. rc → 1.2.0-rc.N)")
    .option("--push", "push the release commit and tags")
    .option("--remote <name>", "remote to push to", "origin")
    .action(action(release));
}

async function release(flags: ReleaseFlags): Promise<number> {
  const { repoDir, dataDir } = await localContext({ repo: flags.repo });
  const plans = await planRelease(repoDir, { services: flags.service, prerelease: flags.prerelease });
  if (flags.dryRun) {
    if (flags.json) printJson(plans.map((plan) => summary(plan)));
    else process.stdout.write(`${renderPlans(plans, undefined)}\n`);
    return 0;
  }
  const results = await applyRelease(repoDir, plans, { commit: flags.commit, push: flags.push, remote: flags.remote });
  await recordReleases(repoDir, dataDir, plans, results);
  if (flags.json) printJson(plans.map((plan, index) => ({ ...summary(plan), released: results[index]?.released ?? false })));
  else process.stdout.write(`${renderPlans(plans, results)}\n`);
  return 0;
}

/**
 * Every release made (or found already tagged at this commit) goes into `.git/slipway/slipway.db`; recording
 * is idempotent, so a run that failed here records on the next run, which finds the tags in place.
 */
async function recordReleases(repoDir: string, dataDir: string, plans: ReleasePlan[], results: ReleaseResult[]): Promise<void> {
  const made = results.map((result, index) => ({ result, plan: plans[index] })).filter(({ result }) => result.version && result.tag && result.taggedCommit);
  if (made.length === 0) return;
  const repo = await repositoryName(repoDir);
  const store = await openLocalStore(dataDir);
  try {
    for (const { result, plan } of made) {
      await store.releases.record({
        repo, service: result.service, version: result.version as string, tag: result.tag as string, sha: result.taggedCommit as string,
        previousVersion: plan.previousVersion, bump: plan.bump, changelog: result.changelog,
      });
    }
  } finally {
    await store.close();
  }
}

function summary(plan: ReleasePlan): { service: string; previousVersion: string | null; nextVersion: string | null; bump: string | null; tag: string | null; changelog: string } {
  return { service: plan.service, previousVersion: plan.previousVersion, nextVersion: plan.nextVersion, bump: plan.bump, tag: plan.tag, changelog: plan.changelog };
}

function renderPlans(plans: ReleasePlan[], results: ReleaseResult[] | undefined): string {
  if (plans.length === 0) return "No services.";
  const style = styleFor(process.stdout);
  const rows = plans.map((plan, index) => {
    const result = results?.[index];
    const state = !plan.nextVersion ? style.dim("no release") : !results ? style.yellow("would release") : result?.released ? style.green("released") : style.dim("already released");
    return [plan.service, plan.previousVersion ?? "—", plan.nextVersion ?? "—", plan.bump ?? "", plan.tag ?? "", state, plan.reason];
  });
  return renderTable(["SERVICE", "PREVIOUS", "NEXT", "BUMP", "TAG", "STATE", "WHY"], rows);
}
