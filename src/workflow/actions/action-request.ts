/** What a `uses:` step hands to the action that runs it. */

import type { JsonObject } from "../../core/json";
import type { StatusFunctions } from "../expressions";
import type { StepDefinition } from "../model";
import type { JobExecution, PostStep } from "../engine/job-execution";
import type { StepState } from "../engine/run-listener";
import type { StepScope } from "../engine/step-scope";
import type { Conclusion } from "../conclusions";

export interface ActionStepRequest {
  execution: JobExecution;
  scope: StepScope;
  def: StepDefinition;
  /** The step the action's log lines belong to. */
  logStep: StepState;
  /** Contexts of the step, with `env` including the step's env. */
  contexts: JsonObject;
  stepEnv: Record<string, string>;
  status: StatusFunctions;
}

export interface ActionResult {
  outcome: Conclusion;
  outputs: Record<string, string>;
}

export interface BuiltinActionContext {
  request: ActionStepRequest;
  /** `with:` values, evaluated, with the action's defaults applied. */
  inputs: Record<string, string>;
  log(line: string): Promise<void>;
  /** Register work for the end of the job (e.g. saving a cache). */
  addPost(post: PostStep): void;
}

export interface BuiltinAction {
  /** `checkout`, `cache`, … — used as `slipway/<name>` and for mapped `actions/<name>`. */
  name: string;
  description: string;
  inputs: Record<string, { default?: string; required?: boolean; description?: string }>;
  run(context: BuiltinActionContext): Promise<ActionResult>;
}
