/** `slipway pr create|list|show|review|merge`: pull requests on the server (SLIPWAY_URL). */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import type { CheckRecord, PullRequestRecord, ReviewRecord } from "../../store";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { renderTable, stateLabel, stateSymbol, styleFor } from "../render/style";
import { serverRepository } from "../server-repo";

interface PullRequestView extends PullRequestRecord {
  checks: CheckRecord[];
  reviews: ReviewRecord[];
  mergeable: boolean;
  mergeBlockers: string[];
  protection: { requiredChecks: string[]; requiredApprovals: number; requireUpToDate: boolean; source: string };
}

interface MergeView {
  sha: string;
  method: string;
  pullRequest: PullRequestRecord;
}

type RepositoryFlags = { repository?: string; json?: boolean };

const repositoryOption = ["--repository <owner/name>", "the repository (default: from the origin remote)"] as const;

function pullNumber(text: string): number {
  const number = Number(text.replace(/^#/, ""));
  if (!Number.isInteger(number) || number < 1) throw new SlipwayError("USAGE", `'${text}' is not a pull request number.`);
  return number;
}

function renderPullRequest(pr: PullRequestView): string {
  const style = styleFor(process.stdout);
  const lines = [
    style.bold(`#${pr.number} ${pr.title}`),
    `${pr.state} · ${pr.sourceBranch} → ${pr.targetBranch} · by ${pr.author} · head ${pr.headSha.slice(0, 7)}`,
  ];
  if (pr.body.trim()) lines.push("", pr.body.trim());
  lines.push("", "checks:");
  if (pr.checks.length === 0) lines.push("  none reported yet");
  for (const c of pr.checks) lines.push(`  ${stateSymbol(c.status, c.conclusion, style)} ${c.name} ${style.dim(stateLabel(c.status, c.conclusion))}`);
  lines.push("reviews:");
  if (pr.reviews.length === 0) lines.push("  none yet");
  for (const r of pr.reviews) lines.push(`  ${r.reviewer}: ${r.state.replace("_", " ")}${r.dismissed ? " (dismissed)" : ""}${r.body ? ` — ${r.body}` : ""}`);
  if (pr.state === "merged") lines.push("", style.green(`merged as ${pr.mergedSha?.slice(0, 7)} (${pr.mergeMethod})`));
  else if (pr.mergeable) lines.push("", style.green("ready to merge"));
  else lines.push("", style.red("cannot merge yet:"), ...pr.mergeBlockers.map((reason) => `  - ${reason}`));
  return `${lines.join("\n")}\n`;
}

export function registerPrCommand(program: Command): void {
  const pr = program.command("pr").description("pull requests on the slipway server (SLIPWAY_URL)");

  pr.command("create")
    .description("open a pull request from a source branch into a target branch")
    .requiredOption("--source <branch>", "the branch with the changes")
    .option("--target <branch>", "the branch to merge into (default: the repository's default branch)")
    .requiredOption("--title <title>", "the title (conventional-commit style keeps squash merges releasable)")
    .option("--body <text>", "the description", "")
    .option(...repositoryOption)
    .option("--json", "print the pull request as JSON")
    .action(
      action(async (flags: RepositoryFlags & { source: string; target?: string; title: string; body: string }) => {
        const repository = await serverRepository(flags.repository);
        const created = await requireServer().request<PullRequestView>("POST", `/repos/${repository}/pulls`, { source: flags.source, target: flags.target, title: flags.title, body: flags.body });
        if (flags.json) printJson(created);
        else process.stdout.write(`opened #${created.number}: ${created.sourceBranch} → ${created.targetBranch}\n`);
        return 0;
      }),
    );

  pr.command("list")
    .description("list pull requests, newest first")
    .option("--state <state>", "open, closed, merged or all", "open")
    .option(...repositoryOption)
    .option("--json", "print the pull requests as JSON")
    .action(
      action(async (flags: RepositoryFlags & { state: string }) => {
        if (!["open", "closed", "merged", "all"].includes(flags.state)) throw new SlipwayError("USAGE", `--state expects open, closed, merged or all (got '${flags.state}').`);
        const repository = await serverRepository(flags.repository);
        const pulls = await requireServer().request<PullRequestRecord[]>("GET", `/repos/${repository}/pulls?state=${flags.state}`);
        if (flags.json) printJson(pulls);
        else if (pulls.length === 0) process.stdout.write(`No ${flags.state === "all" ? "" : `${flags.state} `}pull requests.\n`);
        else process.stdout.write(`${renderTable(["#", "STATE", "TITLE", "BRANCHES", "AUTHOR"], pulls.map((p) => [String(p.number), p.state, p.title, `${p.sourceBranch} → ${p.targetBranch}`, p.author]))}\n`);
        return 0;
      }),
    );

  pr.command("show")
    .description("a pull request with its checks, reviews and why it cannot merge yet")
    .argument("<number>", "the pull request number")
    .option(...repositoryOption)
    .option("--json", "print the pull request as JSON")
    .action(
      action(async (number: string, flags: RepositoryFlags) => {
        const repository = await serverRepository(flags.repository);
        const shown = await requireServer().request<PullRequestView>("GET", `/repos/${repository}/pulls/${pullNumber(number)}`);
        if (flags.json) printJson(shown);
        else process.stdout.write(renderPullRequest(shown));
        return 0;
      }),
    );

  pr.command("review")
    .description("approve, request changes on, or comment on a pull request")
    .argument("<number>", "the pull request number")
    .option("--approve", "approve it")
    .option("--request-changes", "request changes (needs --body)")
    .option("--comment", "comment without approving")
    .option("--body <text>", "the review text", "")
    .option(...repositoryOption)
    .option("--json", "print the review as JSON")
    .action(
      action(async (number: string, flags: RepositoryFlags & { approve?: boolean; requestChanges?: boolean; comment?: boolean; body: string }) => {
        const chosen = [flags.approve && "approve", flags.requestChanges && "request_changes", flags.comment && "comment"].filter((e): e is string => typeof e === "string");
        if (chosen.length !== 1) throw new SlipwayError("USAGE", "Pass exactly one of --approve, --request-changes or --comment.");
        const repository = await serverRepository(flags.repository);
        const review = await requireServer().request<ReviewRecord>("POST", `/repos/${repository}/pulls/${pullNumber(number)}/reviews`, { event: chosen[0], body: flags.body });
        if (flags.json) printJson(review);
        else process.stdout.write(`${review.reviewer} ${review.state.replace("_", " ")} #${number.replace(/^#/, "")} at ${review.commitSha.slice(0, 7)}\n`);
        return 0;
      }),
    );

  pr.command("merge")
    .description("merge a pull request when its target's protection allows it")
    .argument("<number>", "the pull request number")
    .option("--method <method>", "merge, squash or fast-forward", "merge")
    .option(...repositoryOption)
    .option("--json", "print the result as JSON")
    .action(
      action(async (number: string, flags: RepositoryFlags & { method: string }) => {
        if (!["merge", "squash", "fast-forward"].includes(flags.method)) throw new SlipwayError("USAGE", `--method expects merge, squash or fast-forward (got '${flags.method}').`);
        const repository = await serverRepository(flags.repository);
        const merged = await requireServer().request<MergeView>("PUT", `/repos/${repository}/pulls/${pullNumber(number)}/merge`, { method: flags.method });
        if (flags.json) printJson(merged);
        else process.stdout.write(`merged #${merged.pullRequest.number} into ${merged.pullRequest.targetBranch} as ${merged.sha.slice(0, 7)} (${merged.method})\n`);
        return 0;
      }),
    );
}
