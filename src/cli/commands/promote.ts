/**
 * `slipway promote SERVICE VERSION --to ENV`: one commit on the environment repo pointing the service at image:vVERSION.
 * With SLIPWAY_URL and an env repo hosted there, a protected environment gets an approval request instead: the
 * server promotes once it is approved (`--wait` blocks until then).
 */

import { userInfo } from "node:os";
import type { Command } from "commander";
import { promote } from "../../gitops/promote";
import { configuredServer } from "../api-client";
import { action, printJson } from "../output";
import { credentialsFrom } from "./image";
import { hostedEnvRepo, hostedGitUrl, requestProtectedPromotion } from "./promote-protected";

export interface PromoteFlags {
  to: string;
  envRepo: string;
  image: string;
  verify: boolean;
  json?: boolean;
  branch?: string;
  sourceCommit?: string;
  runId?: string;
  creds?: string;
  wait?: boolean;
}

function actorName(): string {
  if (process.env.SLIPWAY_ACTOR) return process.env.SLIPWAY_ACTOR;
  try {
    return userInfo().username || "slipway";
  } catch {
    return "slipway";
  }
}

export function registerPromoteCommand(program: Command): void {
  program
    .command("promote")
    .description("promote a released version of a service to an environment: verify the image tag, commit the new image to the env repo, push")
    .argument("<service>", "the service (envs/<env>/<service>/ in the env repo)")
    .argument("<version>", "the version, e.g. 1.2.0 (image tag v1.2.0)")
    .requiredOption("--to <env>", "the environment, e.g. staging")
    .requiredOption("--env-repo <url|path|owner/name>", "the environment repo: a git URL, a path, or owner/name on the server (SLIPWAY_URL)")
    .requiredOption("--image <repo>", "the image repository with its registry, e.g. 127.0.0.1:7700/acme/shop/web")
    .option("--no-verify", "do not check that the tag exists in the registry")
    .option("--branch <branch>", "the env repo branch (default: its HEAD branch)")
    .option("--source-commit <sha>", "the application commit the version was built from")
    .option("--run-id <id>", "the workflow run that promotes")
    .option("--creds <user:token>", "registry credentials for the tag check (default: $SLIPWAY_REGISTRY_TOKEN)")
    .option("--wait", "protected environment: wait until the promotion is approved and made (or rejected)")
    .option("--json", "print the result as JSON")
    .action(action(async (service: string, version: string, flags: PromoteFlags) => {
      const server = configuredServer();
      const hosted = server ? hostedEnvRepo(flags.envRepo, server.url) : undefined;
      if (server && hosted) {
        const requested = await requestProtectedPromotion(server, hosted, service, version, flags);
        if (requested !== undefined) return requested;
      }
      const started = Date.now();
      const result = await promote({
        envRepo: server && hosted ? hostedGitUrl(server.url, hosted) : flags.envRepo,
        service,
        version,
        env: flags.to,
        image: flags.image,
        verifyTag: flags.verify,
        branch: flags.branch,
        sourceCommit: flags.sourceCommit,
        runId: flags.runId,
        actor: actorName(),
        // A hosted env repo's images usually live in the same server's registry, where the API token is a password.
        registry: { credentials: credentialsFrom(flags.creds) ?? (hosted && process.env.SLIPWAY_TOKEN ? { username: "token", password: process.env.SLIPWAY_TOKEN } : undefined) },
      });
      if (flags.json) return printJson({ ...result, durationMs: Date.now() - started });
      if (result.commit === undefined) {
        process.stdout.write(`${service} in ${flags.to} is already at ${result.newImage}: nothing to commit\n`);
        return;
      }
      const retried = result.attempts > 1 ? `, re-applied ${result.attempts - 1}× on a moved head` : "";
      process.stdout.write(`promoted ${service} to ${flags.to}: ${result.previousImage ?? "?"} → ${result.newImage}\n`);
      process.stdout.write(`commit ${result.commit.slice(0, 12)} on ${result.branch} (${result.changedFiles.join(", ")}${retried})\n`);
    }));
}
