/** Composite actions: their steps run inside the calling step, with `inputs` and their own `steps` context. */

import type { JsonObject } from "../../core/json";
import type { StatusFunctions } from "../expressions";
import { evaluateToString } from "../expressions";
import type { StepDefinition } from "../model";
import { executeStepBody, shouldRunStep, stepContexts } from "../engine/step-runner";
import type { StepScope } from "../engine/step-scope";
import type { ActionManifest } from "./action-manifest";
import type { ActionResult, ActionStepRequest } from "./action-request";

export async function runCompositeAction(
  request: ActionStepRequest,
  manifest: ActionManifest,
  steps: StepDefinition[],
  actionDir: string,
  inputs: Record<string, string>,
): Promise<ActionResult> {
  const { execution, logStep } = request;
  const env = request.contexts.env as Record<string, string>;
  const scope: StepScope = {
    contexts: { ...request.contexts, inputs, env },
    env,
    defaults: {},
    stepsContext: {},
    actionPath: actionDir,
  };
  let failed = false;
  const status: StatusFunctions = {
    success: () => !failed && !execution.cancelled,
    failure: () => failed,
    cancelled: () => execution.cancelled,
  };
  for (const def of steps) {
    const contexts = stepContexts(execution, scope, {});
    const decision = await shouldRunStep(execution, logStep, def, contexts, status);
    let outcome: ActionResult["outcome"] = decision === false ? "skipped" : "failure";
    let outputs: Record<string, string> = {};
    if (decision === true) {
      if (def.run !== undefined && !def.shell) {
        await execution.log(logStep.number, `##[error]${def.loc.file}:${def.loc.line}:${def.loc.column}: a 'run' step of a composite action needs 'shell'.`);
      } else {
        ({ outcome, outputs } = await executeStepBody(execution, scope, def, logStep, status));
      }
    }
    const continueOnError = def.continueOnError === true;
    const conclusion = outcome === "failure" && continueOnError ? "success" : outcome;
    if (conclusion === "failure") failed = true;
    if (def.id) scope.stepsContext[def.id] = { outputs, outcome, conclusion };
  }
  const outputs: Record<string, string> = {};
  const outputContexts = { ...stepContexts(execution, scope, {}) } as JsonObject;
  for (const [name, value] of Object.entries(manifest.outputs)) outputs[name] = evaluateToString(value, outputContexts);
  return { outcome: execution.cancelled && !failed ? "cancelled" : failed ? "failure" : "success", outputs };
}
