/** Warnings for valid workflow features slipway cannot honour: non-Linux runners, remote actions, containers. */

import { isMapping, isString } from "@actions/workflow-parser";
import type { Diagnostic } from "../model";
import { builtinNameFor } from "../actions/builtin/registry";
import { diagnosticAt } from "./diagnostics";
import { entriesOf, entryOf, itemsOf, keyTokenOf, locationOf, stringListOf, stringOf, type TemplateToken } from "./tokens";

/** Remote actions slipway runs itself (`actions/checkout@*`, `slipway/*`, …); anything else remote must be vendored. */
export function isBuiltInAction(uses: string): boolean {
  return builtinNameFor(uses) !== undefined;
}

export function isLocalReference(uses: string): boolean {
  return uses.startsWith("./") || uses.startsWith("../");
}

export function checkSupport(file: string, jobs: TemplateToken | undefined): Diagnostic[] {
  return entriesOf(jobs).flatMap(({ key, value }) => [
    ...checkRunner(file, key, entryOf(value, "runs-on")),
    ...checkContainers(file, key, value),
    ...checkReusableCall(file, key, entryOf(value, "uses")),
    ...itemsOf(entryOf(value, "steps")).flatMap((step) => checkStepAction(file, entryOf(step, "uses"))),
  ]);
}

function checkRunner(file: string, job: string, runsOn: TemplateToken | undefined): Diagnostic[] {
  if (runsOn === undefined) return [];
  const labels = isMapping(runsOn) ? (stringListOf(entryOf(runsOn, "labels")) ?? []) : (stringListOf(runsOn) ?? []);
  const foreign = labels.find((label) => /^(windows|macos)(-|$)/i.test(label));
  if (foreign === undefined) return [];
  const message = `job '${job}' asks for runs-on '${foreign}', which is not Linux; slipway runs every job on its Linux executor, so OS-specific steps may fail`;
  return [diagnosticAt(locationOf(file, runsOn), "warning", "unsupported-runner", message)];
}

function checkContainers(file: string, job: string, token: TemplateToken): Diagnostic[] {
  return (["container", "services"] as const).flatMap((key) => {
    const keyToken = keyTokenOf(token, key);
    if (keyToken === undefined) return [];
    const message = `job '${job}' uses \`${key}:\`, which the host executor does not run; it runs only on an executor with container support (docker)`;
    return [diagnosticAt(locationOf(file, keyToken), "warning", "unsupported-container", message)];
  });
}

function checkReusableCall(file: string, job: string, token: TemplateToken | undefined): Diagnostic[] {
  const uses = stringOf(token);
  if (uses === undefined || isLocalReference(uses)) return [];
  const fileName = /([^/@]+\.ya?ml)(@|$)/.exec(uses)?.[1] ?? "workflow.yml";
  const message = `job '${job}' calls the reusable workflow '${uses}' from outside the repository; slipway runs only local ones: copy it to .github/workflows/${fileName} and write \`uses: ./.github/workflows/${fileName}\``;
  return [diagnosticAt(locationOf(file, token), "warning", "remote-reusable-workflow", message)];
}

function checkStepAction(file: string, token: TemplateToken | undefined): Diagnostic[] {
  if (token === undefined || !isString(token)) return [];
  const uses = token.value;
  if (isLocalReference(uses) || isBuiltInAction(uses)) return [];
  const loc = locationOf(file, token);
  if (uses.startsWith("docker://")) {
    const message = `step uses the container action '${uses}', which the host executor does not run; use \`run:\` with the tool installed on the host, or run this job on the docker executor`;
    return [diagnosticAt(loc, "warning", "docker-action", message)];
  }
  const name = uses.split("@")[0];
  const folder = name.split("/").filter((part) => part !== "").slice(1).join("-") || name;
  const message = `action '${uses}' is remote and slipway does not download actions; vendor it: copy its files into the repository (e.g. .github/actions/${folder}) and write \`uses: ./.github/actions/${folder}\``;
  return [diagnosticAt(loc, "warning", "remote-action", message)];
}
