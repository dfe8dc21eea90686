/** `jobs.<id>.steps[*]` tokens → StepDefinitions. */

import type { StepDefinition } from "../model";
import { normalizeCondition } from "./condition";
import { entryOf, itemsOf, locationOf, scalarTextOf, stringOf, templateMapOf, templateValueOf, templateValueOr, type TemplateToken } from "./tokens";

export function buildSteps(file: string, steps: TemplateToken | undefined): StepDefinition[] {
  return itemsOf(steps).map((token, index) => buildStep(file, token, index));
}

function buildStep(file: string, token: TemplateToken, index: number): StepDefinition {
  const step: StepDefinition = {
    index,
    loc: locationOf(file, token),
    if: normalizeCondition(entryOf(token, "if")),
    with: templateMapOf(file, entryOf(token, "with")),
    env: templateValueOr(file, entryOf(token, "env"), {}),
    continueOnError: templateValueOr(file, entryOf(token, "continue-on-error"), false),
  };
  const id = stringOf(entryOf(token, "id"));
  if (id !== undefined) step.id = id;
  const name = entryOf(token, "name");
  if (name !== undefined) step.name = templateValueOf(file, name);
  const run = entryOf(token, "run");
  if (run !== undefined) step.run = templateValueOf(file, run);
  const uses = stringOf(entryOf(token, "uses"));
  if (uses !== undefined) step.uses = uses;
  const shell = scalarTextOf(entryOf(token, "shell"));
  if (shell !== undefined) step.shell = shell;
  const workingDirectory = entryOf(token, "working-directory");
  if (workingDirectory !== undefined) step.workingDirectory = templateValueOf(file, workingDirectory);
  const timeout = entryOf(token, "timeout-minutes");
  if (timeout !== undefined) step.timeoutMinutes = templateValueOf(file, timeout);
  return step;
}
