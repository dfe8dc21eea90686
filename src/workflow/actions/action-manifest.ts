/** action.yml / action.yaml: parsed with GitHub's action schema into what the runner needs. */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { NoOperationTraceWriter } from "@actions/workflow-parser";
import { parseAction } from "@actions/workflow-parser/actions/action-parser";
import { SlipwayError } from "../../core/errors";
import type { StepDefinition, TemplateValue } from "../model";
import { buildSteps } from "../parse/build-steps";
import { entriesOf, entryOf, scalarTextOf, stringOf, templateValueOf } from "../parse/tokens";

export interface ActionInput {
  required: boolean;
  default?: TemplateValue;
}

export type ActionRuns =
  | { using: "composite"; steps: StepDefinition[] }
  | { using: "node"; version: string; main: string; pre?: string; preIf?: string; post?: string; postIf?: string }
  | { using: "docker"; image: string };

export interface ActionManifest {
  file: string;
  name: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, TemplateValue>;
  runs: ActionRuns;
}

export async function readActionManifest(actionDir: string, displayDir: string): Promise<ActionManifest> {
  for (const name of ["action.yml", "action.yaml"]) {
    let content: string;
    try {
      content = await readFile(join(actionDir, name), "utf8");
    } catch {
      continue;
    }
    return parseActionManifest(`${displayDir}/${name}`, content);
  }
  throw new SlipwayError("ACTION_NOT_FOUND", `Can't find 'action.yml' or 'action.yaml' under '${displayDir}'. Did you forget to run actions/checkout before running your local action?`);
}

const optionalPropertyMissing = /Required property is missing: (name|description)$/;

export function parseActionManifest(file: string, content: string): ActionManifest {
  const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
  // GitHub's runner requires neither `name` nor `description` (only the Marketplace does); the parser's schema does.
  const errors = result.context.errors.getErrors().filter((e) => !optionalPropertyMissing.test(e.message));
  if (errors.length > 0 || !result.value) {
    throw new SlipwayError("ACTION_INVALID", `Invalid action manifest: ${errors.map((e) => e.message).join("; ") || file}`);
  }
  const root = result.value;
  const inputs: Record<string, ActionInput> = {};
  for (const { key, value } of entriesOf(entryOf(root, "inputs"))) {
    const def = entryOf(value, "default");
    inputs[key] = { required: scalarTextOf(entryOf(value, "required")) === "true", default: def === undefined ? undefined : templateValueOf(file, def) };
  }
  const outputs: Record<string, TemplateValue> = {};
  for (const { key, value } of entriesOf(entryOf(root, "outputs"))) outputs[key] = templateValueOf(file, entryOf(value, "value"));
  const runs = entryOf(root, "runs");
  const using = stringOf(entryOf(runs, "using")) ?? "";
  return { file, name: stringOf(entryOf(root, "name")) ?? file, inputs, outputs, runs: actionRuns(file, using, runs) };
}

function actionRuns(file: string, using: string, runs: ReturnType<typeof entryOf>): ActionRuns {
  if (using === "composite") return { using: "composite", steps: buildSteps(file, entryOf(runs, "steps")) };
  if (/^node\d+$/.test(using)) {
    const text = (key: string): string | undefined => stringOf(entryOf(runs, key));
    const main = text("main");
    if (!main) throw new SlipwayError("ACTION_INVALID", `${file}: 'runs.main' is required for a ${using} action.`);
    return { using: "node", version: using, main, pre: text("pre"), preIf: text("pre-if"), post: text("post"), postIf: text("post-if") };
  }
  if (using === "docker") return { using: "docker", image: stringOf(entryOf(runs, "image")) ?? "" };
  throw new SlipwayError("ACTION_INVALID", `${file}: 'runs.using: ${using}' is not supported (composite, node12–node24, docker).`);
}
