/** `applyRelease`: CHANGELOG.md commit, annotated tag and optional push per plan; never tags a version twice. */

import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SlipwayError } from "../core/errors";
import { git, gitMaybe } from "../git/git-cli";
import { prependToChangelog } from "./changelog";
import type { ApplyReleaseOptions, ReleasePlan, ReleaseResult } from "./release-plan";

export function releaseCommitMessage(plan: ReleasePlan): string {
  return `chore(release): ${plan.service} v${plan.nextVersion} [skip ci]`;
}

export async function applyRelease(repoDir: string, plans: ReleasePlan[], options: ApplyReleaseOptions = {}): Promise<ReleaseResult[]> {
  const commit = options.commit ?? true;
  const env = identityEnv(options.identity);
  const results: ReleaseResult[] = [];
  if (commit && plans.some((plan) => plan.nextVersion) && !existsSync(join(repoDir, ".git"))) {
    throw new SlipwayError("USAGE", `${repoDir} has no working copy to commit CHANGELOG.md in.`, { hint: "Release with --no-commit (tag only), or from a checkout." });
  }
  for (const plan of plans) results.push(await applyOne(repoDir, plan, commit, env));
  if (options.push && results.some((result) => result.released)) await pushRelease(repoDir, results, commit, options);
  return results;
}

async function applyOne(repoDir: string, plan: ReleasePlan, commit: boolean, env: NodeJS.ProcessEnv | undefined): Promise<ReleaseResult> {
  const result: ReleaseResult = { service: plan.service, version: plan.nextVersion, tag: plan.tag, released: false, changelog: plan.changelog, reason: plan.reason };
  if (!plan.nextVersion || !plan.tag) return result;
  const existing = (await gitMaybe(["rev-parse", "--verify", "--quiet", `refs/tags/${plan.tag}^{commit}`], repoDir))?.trim();
  if (existing) {
    // Someone (or an earlier run) released this version already: idempotent when it is this commit's release.
    const head = (await git(["rev-parse", "HEAD"], repoDir)).trim();
    if (existing === plan.headSha || existing === head) return { ...result, taggedCommit: existing, reason: `${plan.tag} already exists at ${existing.slice(0, 7)}` };
    throw new SlipwayError("RELEASE_CONFLICT", `${plan.tag} already exists at ${existing.slice(0, 7)}; a version is never reused. Plan the release again.`);
  }
  let target = plan.headSha;
  if (commit) {
    const head = (await git(["rev-parse", "HEAD"], repoDir)).trim();
    if (head !== plan.headSha && !(await isReleaseCommitOnTop(repoDir, head, plan.headSha))) {
      throw new SlipwayError("RELEASE_CONFLICT", `HEAD moved to ${head.slice(0, 7)} since the release of ${plan.headSha.slice(0, 7)} was planned.`, { hint: "Plan the release again." });
    }
    await writeChangelog(repoDir, plan);
    await git(["add", "--", plan.changelogPath], repoDir);
    await git(["commit", "--quiet", "--no-verify", "-m", releaseCommitMessage(plan), "--", plan.changelogPath], repoDir, { env });
    target = (await git(["rev-parse", "HEAD"], repoDir)).trim();
    result.releaseCommit = target;
  }
  await git(["tag", "--annotate", plan.tag, "--cleanup=verbatim", "-m", plan.changelog, target], repoDir, { env });
  return { ...result, released: true, taggedCommit: target };
}

/** Several services released together: each commit stacks on the previous service's release commit. */
async function isReleaseCommitOnTop(repoDir: string, head: string, planned: string): Promise<boolean> {
  const log = await git(["log", "--format=%s", `${planned}..${head}`], repoDir).catch(() => "");
  const subjects = log.split("\n").filter(Boolean);
  return subjects.length > 0 && subjects.every((subject) => subject.startsWith("chore(release): "));
}

async function writeChangelog(repoDir: string, plan: ReleasePlan): Promise<void> {
  const file = join(repoDir, plan.changelogPath);
  const existing = await readFile(file, "utf8").catch(() => undefined);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, prependToChangelog(existing, plan.changelog));
}

async function pushRelease(repoDir: string, results: ReleaseResult[], committed: boolean, options: ApplyReleaseOptions): Promise<void> {
  const remote = options.remote ?? "origin";
  const refs = results.filter((r) => r.released && r.tag).map((r) => `refs/tags/${r.tag}`);
  if (committed) {
    const branch = options.branch ?? (await gitMaybe(["symbolic-ref", "--quiet", "--short", "HEAD"], repoDir))?.trim();
    if (!branch) throw new SlipwayError("USAGE", "HEAD is detached: say which branch the release commit goes to.", { hint: "Pass the branch (the action's `branch` input), or release with --no-commit." });
    refs.unshift(`HEAD:refs/heads/${branch}`);
  }
  await git(["push", "--atomic", remote, ...refs], repoDir);
}

function identityEnv(identity: ApplyReleaseOptions["identity"]): NodeJS.ProcessEnv | undefined {
  if (!identity) return undefined;
  return {
    ...process.env,
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
  };
}
