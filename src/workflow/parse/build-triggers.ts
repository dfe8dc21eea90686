/** `on:` (a string, a list or a map) → Triggers, from a token tree that passed validation. */

import { isBoolean, isMapping, isNumber, isSequence, isString } from "@actions/workflow-parser";
import type {
  InputDefinition,
  InputType,
  PullRequestTrigger,
  PushTrigger,
  Triggers,
  WorkflowCallTrigger,
} from "../model";
import { entriesOf, entryOf, itemsOf, locationOf, scalarTextOf, stringListOf, stringOf, templateValueOf, type TemplateToken } from "./tokens";

const inputTypes: readonly InputType[] = ["string", "choice", "boolean", "number", "environment"];

export function buildTriggers(file: string, on: TemplateToken | undefined): Triggers {
  const triggers: Triggers = { other: [] };
  for (const { name, config } of eventsOf(on)) {
    switch (name) {
      case "push":
        triggers.push = pushTriggerOf(config);
        break;
      case "pull_request":
        triggers.pullRequest = pullRequestTriggerOf(config);
        break;
      case "workflow_dispatch":
        triggers.workflowDispatch = { inputs: inputsOf(entryOf(config, "inputs")) };
        break;
      case "workflow_call":
        triggers.workflowCall = workflowCallOf(file, config);
        break;
      case "schedule":
        triggers.schedule = itemsOf(config).flatMap((item) => {
          const cronToken = entryOf(item, "cron");
          const cron = stringOf(cronToken);
          return cron === undefined ? [] : [{ cron, loc: locationOf(file, cronToken) }];
        });
        break;
      default:
        triggers.other.push(name);
    }
  }
  return triggers;
}

/** Each event named under `on:` with its configuration token (undefined for the string/list forms). */
export function eventsOf(on: TemplateToken | undefined): { name: string; config?: TemplateToken; keyToken?: TemplateToken }[] {
  if (on === undefined) return [];
  if (isString(on)) return [{ name: on.value, keyToken: on }];
  if (isSequence(on)) return itemsOf(on).flatMap((item) => (isString(item) ? [{ name: item.value, keyToken: item }] : []));
  if (isMapping(on)) return entriesOf(on).map(({ key, keyToken, value }) => ({ name: key, config: value, keyToken }));
  return [];
}

function pushTriggerOf(config: TemplateToken | undefined): PushTrigger {
  return {
    ...branchAndPathFiltersOf(config),
    ...definedOnly({ tags: stringListOf(entryOf(config, "tags")), tagsIgnore: stringListOf(entryOf(config, "tags-ignore")) }),
  };
}

function pullRequestTriggerOf(config: TemplateToken | undefined): PullRequestTrigger {
  return { ...branchAndPathFiltersOf(config), ...definedOnly({ types: stringListOf(entryOf(config, "types")) }) };
}

function branchAndPathFiltersOf(config: TemplateToken | undefined): PushTrigger {
  return definedOnly({
    branches: stringListOf(entryOf(config, "branches")),
    branchesIgnore: stringListOf(entryOf(config, "branches-ignore")),
    paths: stringListOf(entryOf(config, "paths")),
    pathsIgnore: stringListOf(entryOf(config, "paths-ignore")),
  });
}

function definedOnly<T extends Record<string, string[] | undefined>>(filters: T): Partial<T> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function workflowCallOf(file: string, config: TemplateToken | undefined): WorkflowCallTrigger {
  const outputs: WorkflowCallTrigger["outputs"] = {};
  for (const { key, value } of entriesOf(entryOf(config, "outputs"))) {
    const description = stringOf(entryOf(value, "description"));
    outputs[key] = { ...(description === undefined ? {} : { description }), value: templateValueOf(file, entryOf(value, "value")) };
  }
  const secrets: WorkflowCallTrigger["secrets"] = {};
  for (const { key, value } of entriesOf(entryOf(config, "secrets"))) {
    const description = stringOf(entryOf(value, "description"));
    secrets[key] = { ...(description === undefined ? {} : { description }), required: booleanOf(entryOf(value, "required")) };
  }
  return { inputs: inputsOf(entryOf(config, "inputs")), outputs, secrets };
}

export function inputsOf(inputs: TemplateToken | undefined): Record<string, InputDefinition> {
  const result: Record<string, InputDefinition> = {};
  for (const { key, value } of entriesOf(inputs)) result[key] = inputOf(value);
  return result;
}

function inputOf(token: TemplateToken): InputDefinition {
  const typeText = stringOf(entryOf(token, "type")) ?? "string";
  const input: InputDefinition = {
    type: inputTypes.find((type) => type === typeText) ?? "string",
    required: booleanOf(entryOf(token, "required")),
  };
  const description = stringOf(entryOf(token, "description"));
  if (description !== undefined) input.description = description;
  const defaultToken = entryOf(token, "default");
  if (defaultToken !== undefined && (isString(defaultToken) || isNumber(defaultToken) || isBoolean(defaultToken))) {
    input.default = defaultToken.value;
  }
  const options = entryOf(token, "options");
  if (options !== undefined) input.options = itemsOf(options).flatMap((item) => scalarTextOf(item) ?? []);
  return input;
}

function booleanOf(token: TemplateToken | undefined): boolean {
  return token !== undefined && isBoolean(token) && token.value;
}
