/** The built-in action `slipway/release`: plans and makes the release of the run's commit, as step outputs. */

import { existsSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { describeError } from "../core/errors";
import type { ActionResult, BuiltinAction } from "../workflow/actions/action-request";
import { applyRelease } from "./apply-release";
import { planRelease } from "./plan-release";
import type { ReleasePlan, ReleaseResult } from "./release-plan";

const truthy = (value: string | undefined): boolean => ["true", "1", "yes"].includes((value ?? "").trim().toLowerCase());

export const releaseIdentity = { name: "slipway-release", email: "release@slipway.local" };

export const releaseAction: BuiltinAction = {
  name: "release",
  description: "Next semantic version per service from conventional commits; CHANGELOG.md, annotated tag, optional push.",
  inputs: {
    service: { default: "", description: "Release only these services (comma-separated names); default all." },
    "dry-run": { default: "false", description: "Plan only: outputs say what would be released." },
    push: { default: "false", description: "Push the release commit and tags to `remote`." },
    remote: { default: "origin" },
    commit: { default: "auto", description: "Commit CHANGELOG.md before tagging; auto: only when pushing (a commit that no branch holds would hide the tag)." },
    prerelease: { default: "", description: "Force a prerelease channel such as rc." },
    path: { default: "", description: "The repository under the workspace; default the workspace checkout, else the run's repository at its commit." },
  },
  async run({ request, inputs, log }): Promise<ActionResult> {
    const { options } = request.execution;
    const workspace = request.execution.dirs.workspace;
    const checkout = normalize(join(workspace, inputs.path ?? ""));
    if (isAbsolute(inputs.path ?? "") || !checkout.startsWith(workspace)) {
      await log(`##[error]Repository path '${inputs.path}' is not under '${workspace}'.`);
      return { outcome: "failure", outputs: {} };
    }
    const checkedOut = existsSync(join(checkout, ".git"));
    const repoDir = checkedOut ? checkout : options.repoDir;
    const branch = options.event.ref.startsWith("refs/heads/") ? options.event.ref.slice("refs/heads/".length) : undefined;
    const push = truthy(inputs.push);
    const commit = inputs.commit === "auto" || !inputs.commit ? push : truthy(inputs.commit);
    try {
      const services = (inputs.service ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const plans = await planRelease(repoDir, {
        head: checkedOut ? "HEAD" : options.event.sha,
        branch,
        services,
        rootServiceName: options.event.repository.split("/").pop() || undefined,
        prerelease: inputs.prerelease || undefined,
        date: options.clock ? new Date(options.clock.now()) : undefined,
      });
      for (const plan of plans) await log(describePlan(plan));
      // A dry run says what would be released, and that nothing was.
      if (truthy(inputs["dry-run"])) return { outcome: "success", outputs: { ...outputsFor(plans.map(planAsResult), plans), released: "false" } };
      if (commit && !checkedOut) {
        await log("##[error]Committing CHANGELOG.md needs a checkout: add `uses: slipway/checkout` before this step, or set `commit: false`.");
        return { outcome: "failure", outputs: {} };
      }
      const results = await applyRelease(repoDir, plans, { commit, push, remote: inputs.remote || "origin", branch, identity: releaseIdentity });
      for (const result of results) if (result.released) await log(`Released ${result.tag}${result.releaseCommit ? ` (commit ${result.releaseCommit.slice(0, 7)})` : ""}`);
      return { outcome: "success", outputs: outputsFor(results, plans) };
    } catch (error) {
      await log(`##[error]${describeError(error)}`);
      return { outcome: "failure", outputs: {} };
    }
  },
};

function describePlan(plan: ReleasePlan): string {
  const name = plan.service ? `${plan.service}: ` : "";
  return plan.nextVersion ? `${name}${plan.previousVersion ?? "(none)"} → ${plan.nextVersion} (${plan.reason})` : `${name}no release: ${plan.reason}`;
}

function planAsResult(plan: ReleasePlan): ReleaseResult {
  return { service: plan.service, version: plan.nextVersion, tag: plan.tag, released: plan.nextVersion !== null, changelog: plan.changelog, reason: plan.reason };
}

/** One service released: its version, tag and changelog; several: tags space-separated, changelogs joined; `releases` has them all as JSON. */
function outputsFor(results: ReleaseResult[], plans: ReleasePlan[]): Record<string, string> {
  const released = results.filter((r) => r.released && r.version);
  const versions = [...new Set(released.map((r) => r.version as string))];
  return {
    released: String(released.length > 0),
    version: versions.length === 1 ? versions[0] : "",
    tag: released.map((r) => r.tag).join(" "),
    changelog: released.map((r) => r.changelog).join("\n"),
    releases: JSON.stringify(results.map((r) => ({ service: r.service, version: r.version, tag: r.tag, released: r.released, previousVersion: plans.find((p) => p.service === r.service)?.previousVersion ?? null }))),
  };
}
