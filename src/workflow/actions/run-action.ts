/** Resolves a step's `uses:` (local, built-in, mapped, remote) and runs the action with its inputs. */

import { isAbsolute, join, normalize } from "node:path";
import { SlipwayError } from "../../core/errors";
import { evaluateTemplate, evaluateToString } from "../expressions";
import type { TemplateValue } from "../model";
import type { ActionResult, ActionStepRequest, BuiltinAction } from "./action-request";
import { readActionManifest, type ActionInput } from "./action-manifest";
import { builtinAction, builtinNameFor } from "./builtin/registry";
import { registerDefaultBuiltins } from "./builtin/defaults";
import { runCompositeAction } from "./composite-action";
import { runNodeAction } from "./node-action";

registerDefaultBuiltins();

export async function runActionStep(request: ActionStepRequest): Promise<ActionResult> {
  const uses = request.def.uses ?? "";
  if (uses.startsWith("./") || uses.startsWith("../") || uses === ".") return runLocalAction(request, uses);
  if (uses.startsWith("docker://")) {
    throw new SlipwayError("ACTION_INVALID", `'${uses}': container actions need a container executor; the host executor cannot run them.`);
  }
  const name = builtinNameFor(uses);
  const builtin = name === undefined ? undefined : builtinAction(name);
  if (builtin) return runBuiltin(request, builtin);
  if (name !== undefined) throw new SlipwayError("ACTION_NOT_FOUND", `'${uses}' is not a built-in action of slipway.`);
  throw new SlipwayError(
    "ACTION_NOT_FOUND",
    `'${uses}' is a remote action, and slipway does not download actions. Vendor it: copy the action's repository at that ref into this repository (for example under .github/actions/<name>) and use it as 'uses: ./.github/actions/<name>'.`,
  );
}

async function runLocalAction(request: ActionStepRequest, uses: string): Promise<ActionResult> {
  const workspace = request.execution.dirs.workspace;
  const actionDir = normalize(join(workspace, uses));
  if (isAbsolute(uses) || !actionDir.startsWith(workspace)) throw new SlipwayError("ACTION_INVALID", `'${uses}' points outside the workspace.`);
  const manifest = await readActionManifest(actionDir, uses.replace(/\/$/, ""));
  const inputs = resolveInputs(request, manifest.inputs, uses);
  switch (manifest.runs.using) {
    case "composite":
      return runCompositeAction(request, manifest, manifest.runs.steps, actionDir, inputs);
    case "node":
      return runNodeAction(request, manifest.runs, actionDir, inputs);
    case "docker":
      throw new SlipwayError("ACTION_INVALID", `'${uses}' is a Docker container action; the host executor cannot run it.`);
  }
}

async function runBuiltin(request: ActionStepRequest, action: BuiltinAction): Promise<ActionResult> {
  const definitions: Record<string, ActionInput> = {};
  for (const [name, def] of Object.entries(action.inputs)) definitions[name] = { required: def.required ?? false, default: def.default };
  const inputs = resolveInputs(request, definitions, request.def.uses ?? action.name);
  return action.run({
    request,
    inputs,
    log: (line) => request.execution.log(request.logStep.number, line),
    addPost: (post) => request.execution.posts.push(post),
  });
}

/** `with:` evaluated to strings; defaults (which may be expressions) fill the gaps; required ones checked. */
export function resolveInputs(request: ActionStepRequest, definitions: Record<string, ActionInput>, uses: string): Record<string, string> {
  const given = evaluateTemplate(request.def.with, request.contexts, { status: request.status, hashFiles: request.execution.hashFiles });
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries((given ?? {}) as Record<string, unknown>)) {
    inputs[key.toLowerCase()] = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  for (const [name, def] of Object.entries(definitions)) {
    const key = name.toLowerCase();
    if (inputs[key] !== undefined) continue;
    if (def.default !== undefined) inputs[key] = evaluateToString(def.default as TemplateValue, request.contexts, { status: request.status, hashFiles: request.execution.hashFiles });
    else if (def.required) throw new SlipwayError("ACTION_INVALID", `Input required and not supplied: ${name} (${uses})`);
  }
  return inputs;
}
