/** `slipway promote` against a server: an env repo hosted there whose environment is protected gets an approval request, not a push. */

import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { EnvironmentRecord } from "../../store";
import type { ApprovalView } from "../../server/services/approvals";
import type { ApiClient } from "../api-client";
import { printJson } from "../output";
import { describeApproval } from "./approvals";

export interface ProtectedPromoteFlags {
  to: string;
  image: string;
  verify: boolean;
  branch?: string;
  sourceCommit?: string;
  runId?: string;
  wait?: boolean;
  json?: boolean;
}

const fullName = /^([A-Za-z0-9][A-Za-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*?)(?:\.git)?$/;

/** `owner/name` when the env repo is hosted on the server: its git URL there, or `owner/name` that is not a local path. */
export function hostedEnvRepo(envRepo: string, serverUrl: string): string | undefined {
  if (/^https?:\/\//.test(envRepo)) {
    const url = new URL(envRepo);
    if (url.origin !== new URL(serverUrl).origin) return undefined;
    const match = /^\/git\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.pathname);
    return match ? `${match[1]}/${match[2]}` : undefined;
  }
  const match = fullName.exec(envRepo);
  return match && !existsSync(envRepo) ? `${match[1]}/${match[2]}` : undefined;
}

/** The hosted repo's clone URL with SLIPWAY_TOKEN as the password, for the direct (unprotected) promotion. */
export function hostedGitUrl(serverUrl: string, repo: string): string {
  const url = new URL(`${serverUrl.replace(/\/+$/, "")}/git/${repo}.git`);
  if (process.env.SLIPWAY_TOKEN) {
    url.username = "token";
    url.password = process.env.SLIPWAY_TOKEN;
  }
  return url.toString();
}

const finished = (approval: ApprovalView): boolean => approval.progress.denied || approval.execution === "succeeded" || approval.execution === "failed";

/**
 * Undefined when the environment is not protected (the caller promotes directly, as without a server);
 * otherwise the exit code after requesting approval (and, with --wait, after the server promoted or it was refused).
 */
export async function requestProtectedPromotion(server: ApiClient, repo: string, service: string, version: string, flags: ProtectedPromoteFlags): Promise<number | undefined> {
  const environment = await server.request<EnvironmentRecord>("GET", `/repos/${repo}/environments/${encodeURIComponent(flags.to)}`);
  if (!environment.protected) return undefined;
  const payload = { service, version, image: flags.image, verify: flags.verify, branch: flags.branch, sourceCommit: flags.sourceCommit, runId: flags.runId };
  let approval = await server.request<ApprovalView>("POST", "/approvals", { repo, environment: flags.to, kind: "promotion", payload });
  if (!flags.wait) {
    if (flags.json) printJson(approval);
    else {
      process.stdout.write(`${flags.to} is protected: requested approval ${approval.id} to promote ${service} ${version} (nothing is pushed until it is approved)\n`);
      process.stdout.write(`  another user with write access to ${repo} approves it with: slipway approve ${approval.id}   (or: slipway reject ${approval.id})\n`);
    }
    return 0;
  }
  if (!flags.json) process.stderr.write(`${flags.to} is protected: waiting for approval ${approval.id} (slipway approve ${approval.id})…\n`);
  while (!finished(approval)) {
    await sleep(500);
    approval = await server.request<ApprovalView>("GET", `/approvals/${approval.id}`);
  }
  if (flags.json) printJson(approval);
  else process.stdout.write(describeApproval(approval));
  return approval.execution === "succeeded" ? 0 : 1;
}
