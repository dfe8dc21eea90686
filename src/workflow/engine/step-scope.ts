/** What a step sees around it: the job itself, or a composite action nested inside a step. */

import type { ExpressionContexts } from "../expressions";
import type { RunDefaults } from "../model";

export interface StepScope {
  /** Contexts for expressions; `env` holds the scope's env (workflow + job, or the composite's). */
  contexts: ExpressionContexts;
  /** The env the scope passes to its steps, evaluated. */
  env: Record<string, string>;
  defaults: RunDefaults;
  /** Where `steps.<id>` results go. */
  stepsContext: Record<string, { outputs: Record<string, string>; outcome: string | null; conclusion: string | null }>;
  /** Set inside an action: GITHUB_ACTION_PATH. */
  actionPath?: string;
}
