/** `actions/checkout` / `slipway/checkout`: the run's commit (or `ref`) as a shared clone in the workspace. */

import { execFile } from "node:child_process";
import { isAbsolute, join, normalize } from "node:path";
import { promisify } from "node:util";
import { checkoutCommit } from "../../engine/workspace";
import type { ActionResult, BuiltinAction } from "../action-request";

const run = promisify(execFile);

async function resolveCommit(repoDir: string, ref: string): Promise<string | undefined> {
  for (const candidate of [ref, `refs/remotes/origin/${ref}`, `refs/tags/${ref}`]) {
    try {
      const { stdout } = await run("git", ["rev-parse", "--verify", "--quiet", `${candidate}^{commit}`], { cwd: repoDir });
      return stdout.trim();
    } catch {
      // try the next form
    }
  }
  return undefined;
}

export const checkoutAction: BuiltinAction = {
  name: "checkout",
  description: "Check out the run's commit (full history) into the workspace.",
  inputs: {
    ref: { default: "", description: "Branch, tag or SHA; default: the commit that triggered the run." },
    path: { default: "", description: "Relative path under the workspace." },
    repository: { default: "", description: "Only the run's own repository is available." },
    "fetch-depth": { default: "1", description: "Accepted for compatibility; the whole history is always there." },
    clean: { default: "true" },
    token: { default: "" },
    submodules: { default: "false" },
    "persist-credentials": { default: "true" },
  },
  async run({ request, inputs, log }): Promise<ActionResult> {
    const { execution } = request;
    const options = execution.options;
    const own = (request.contexts.github as { repository?: string }).repository;
    if (inputs.repository && inputs.repository !== own) {
      await log(`##[error]Only this repository (${own}) can be checked out; '${inputs.repository}' is not available to slipway.`);
      return { outcome: "failure", outputs: {} };
    }
    const sha = inputs.ref ? await resolveCommit(options.repoDir, inputs.ref) : options.event.sha;
    if (!sha) {
      await log(`##[error]A branch, tag or commit named '${inputs.ref}' could not be found.`);
      return { outcome: "failure", outputs: {} };
    }
    const workspace = execution.dirs.workspace;
    const target = normalize(join(workspace, inputs.path ?? ""));
    if (isAbsolute(inputs.path ?? "") || !target.startsWith(workspace)) {
      await log(`##[error]Repository path '${inputs.path}' is not under '${workspace}'.`);
      return { outcome: "failure", outputs: {} };
    }
    await log(`Checking out ${sha} into ${target}`);
    await checkoutCommit(options.repoDir, sha, target);
    execution.checkouts.push(target);
    return { outcome: "success", outputs: { ref: inputs.ref || options.event.ref, commit: sha } };
  },
};
