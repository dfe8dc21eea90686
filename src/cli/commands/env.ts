/** `slipway env …`: environments on the server (SLIPWAY_URL) — `env ls`, `env protect ENV --reviewers N [--wait-timer 5m]`, `env unprotect ENV`. */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import type { EnvironmentRecord } from "../../store";
import { parseWaitTimer } from "../../server/services/approvals-rules";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";
import { serverRepository } from "../server-repo";
import { registerEnvScheduleCommands } from "./env-schedule";

type RepoFlags = { repository?: string; json?: boolean };
type ProtectFlags = RepoFlags & { reviewers: string; waitTimer?: string };

const repositoryOption = ["--repository <owner/name>", "the repository (default: the origin of the current clone)"] as const;

function describe(env: EnvironmentRecord): string {
  if (!env.protected) return `${env.name} in ${env.repo} is not protected: deployments to it need no approval\n`;
  const timer = env.waitTimerSeconds > 0 ? ` and a wait timer of ${env.waitTimerSeconds}s` : "";
  return `${env.name} in ${env.repo} is protected: ${env.requiredReviewers} approval(s) from users other than the requester${timer}\n`;
}

async function putProtection(name: string, flags: RepoFlags, body: { protected: boolean; requiredReviewers: number; waitTimerSeconds: number }): Promise<number> {
  const repo = await serverRepository(flags.repository);
  const env = await requireServer().request<EnvironmentRecord>("PUT", `/repos/${repo}/environments/${encodeURIComponent(name)}`, body);
  if (flags.json) printJson(env);
  else process.stdout.write(describe(env));
  return 0;
}

async function protect(name: string, flags: ProtectFlags): Promise<number> {
  const reviewers = Number(flags.reviewers);
  if (!Number.isInteger(reviewers) || reviewers < 0) throw new SlipwayError("USAGE", `--reviewers expects a whole number, not '${flags.reviewers}'.`);
  const waitTimerSeconds = flags.waitTimer === undefined ? 0 : parseWaitTimer(flags.waitTimer);
  return putProtection(name, flags, { protected: true, requiredReviewers: reviewers, waitTimerSeconds });
}

async function listEnvironments(flags: RepoFlags): Promise<number> {
  const repo = await serverRepository(flags.repository);
  const envs = await requireServer().request<EnvironmentRecord[]>("GET", `/repos/${repo}/environments`);
  if (flags.json) printJson(envs);
  else if (envs.length === 0) process.stdout.write(`No environment of ${repo} is configured: all are unprotected (\`slipway env protect ENV --reviewers 1\`).\n`);
  else {
    const rows = envs.map((e) => [e.name, e.protected ? "protected" : "-", String(e.requiredReviewers), e.waitTimerSeconds > 0 ? `${e.waitTimerSeconds}s` : "-", e.updatedBy]);
    process.stdout.write(`${renderTable(["ENV", "PROTECTION", "REVIEWERS", "WAIT TIMER", "SET BY"], rows)}\n`);
  }
  return 0;
}

function registerProtectionCommands(env: Command): void {
  env.command("ls").description("list the repository's environments and their protection").option(...repositoryOption).option("--json", "print them as JSON").action(action(listEnvironments));
  env
    .command("protect")
    .description("protect an environment: deployments to it (promotions, workflow jobs with `environment:`) wait for approval")
    .argument("<env>", "the environment, e.g. prod")
    .requiredOption("--reviewers <n>", "approvals needed from users with write access other than the requester")
    .option("--wait-timer <duration>", "also wait this long after the request, e.g. 90s, 5m, 1h")
    .option(...repositoryOption)
    .option("--json", "print the environment as JSON")
    .action(action(protect));
  env
    .command("unprotect")
    .description("remove an environment's protection: deployments to it no longer wait")
    .argument("<env>", "the environment")
    .option(...repositoryOption)
    .option("--json", "print the environment as JSON")
    .action(action((name: string, flags: RepoFlags) => putProtection(name, flags, { protected: false, requiredReviewers: 0, waitTimerSeconds: 0 })));
}

export function registerEnvCommand(program: Command): void {
  const env = program.command("env").description("environments on the server (SLIPWAY_URL): protection rules for deployments, out-of-hours sleep and wake");
  registerProtectionCommands(env);
  registerEnvScheduleCommands(env);
}
