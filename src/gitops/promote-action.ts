/** `slipway/promote`: points an environment at a released image with one commit on the env repo (tag verified first). */

import { describeError } from "../core/errors";
import type { ActionResult, BuiltinAction } from "../workflow/actions/action-request";
import { promote } from "./promote";

const falsy = (value: string | undefined): boolean => ["false", "0", "no"].includes((value ?? "").trim().toLowerCase());

export const promoteAction: BuiltinAction = {
  name: "promote",
  description: "Promote SERVICE VERSION to an environment: verify the image tag, rewrite only the image fields in the env repo, commit and push.",
  inputs: {
    service: { required: true, description: "the service: envs/<environment>/<service>/ in the env repo" },
    version: { required: true, description: "the released version (image tag v<version>)" },
    environment: { required: true, description: "the environment, e.g. staging" },
    "env-repo": { required: true, description: "the environment repo: a git URL or a path" },
    image: { required: true, description: "the image repository with its registry, e.g. 127.0.0.1:7700/acme/shop/web" },
    verify: { default: "true", description: "check that the tag exists in the registry first" },
    branch: { default: "", description: "the env repo branch (default: its HEAD branch)" },
    "source-commit": { default: "", description: "the application commit (default: the run's)" },
    username: { default: "slipway" },
    token: { default: "", description: "registry token or password for the tag check" },
  },
  async run({ request, inputs, log }): Promise<ActionResult> {
    const { options } = request.execution;
    try {
      const result = await promote({
        envRepo: inputs["env-repo"] ?? "",
        service: inputs.service ?? "",
        version: inputs.version ?? "",
        env: inputs.environment ?? "",
        image: inputs.image ?? "",
        verifyTag: !falsy(inputs.verify),
        branch: inputs.branch || undefined,
        sourceCommit: inputs["source-commit"] || options.event.sha,
        runId: options.runId,
        actor: options.event.actor || "slipway",
        registry: inputs.token ? { credentials: { username: inputs.username || "slipway", password: inputs.token } } : undefined,
      });
      if (result.commit) await log(`promoted ${inputs.service} to ${inputs.environment}: ${result.previousImage ?? "?"} → ${result.newImage} (commit ${result.commit.slice(0, 12)} on ${result.branch}, ${result.changedFiles.join(", ")}${result.attempts > 1 ? `, ${result.attempts} attempts` : ""})`);
      else await log(`${inputs.service} in ${inputs.environment} is already at ${result.newImage}: nothing to commit`);
      return {
        outcome: "success",
        outputs: {
          commit: result.commit ?? "",
          changed: String(result.commit !== undefined),
          "changed-files": result.changedFiles.join(","),
          "previous-image": result.previousImage ?? "",
          "new-image": result.newImage,
          attempts: String(result.attempts),
        },
      };
    } catch (error) {
      await log(`##[error]promote: ${describeError(error)}`);
      return { outcome: "failure", outputs: {} };
    }
  },
};
