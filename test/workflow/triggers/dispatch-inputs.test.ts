/** Table tests for workflow_dispatch input defaults, coercion and errors. */

import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../../src/core/errors";
import type { InputDefinition } from "../../../src/workflow/model";
import { resolveDispatchInputs } from "../../../src/workflow/triggers";

const definitions: Record<string, InputDefinition> = {
  service: { type: "string", required: true },
  environment: { type: "choice", required: true, options: ["dev", "staging", "prod"], default: "dev" },
  dryRun: { type: "boolean", required: false, default: false },
  replicas: { type: "number", required: false, default: 2 },
  target: { type: "environment", required: false },
  note: { type: "string", required: false },
  timeout: { type: "number", required: false },
};

const valid: [string, Record<string, string>, Record<string, string | number | boolean>][] = [
  [
    "defaults applied",
    { service: "api" },
    { service: "api", environment: "dev", dryRun: false, replicas: 2, target: "", note: "" },
  ],
  [
    "everything given",
    { service: "api", environment: "prod", dryRun: "true", replicas: "5", target: "production", note: "hi", timeout: "1.5" },
    { service: "api", environment: "prod", dryRun: true, replicas: 5, target: "production", note: "hi", timeout: 1.5 },
  ],
  ["boolean false", { service: "api", dryRun: "false" }, { dryRun: false }],
];

describe("resolveDispatchInputs", () => {
  it.each(valid)("%s", (_name, given, expected) => {
    expect(resolveDispatchInputs(definitions, given)).toMatchObject(expected);
  });

  const invalid: [string, Record<string, string>, string[]][] = [
    ["required missing", {}, ['input "service" is required']],
    ["required empty", { service: "" }, ['input "service" is required']],
    ["bad boolean", { service: "a", dryRun: "yes" }, ['input "dryRun": "yes" is not a boolean (expected "true" or "false")']],
    ["bad boolean case", { service: "a", dryRun: "True" }, ['"True" is not a boolean']],
    ["bad number", { service: "a", replicas: "many" }, ['input "replicas": "many" is not a number']],
    ["empty number", { service: "a", replicas: "" }, ['input "replicas": "" is not a number']],
    ["bad choice", { service: "a", environment: "qa" }, ['input "environment": "qa" is not one of the options [dev, staging, prod]']],
    ["unknown input", { service: "a", colour: "red" }, ['input "colour" is not defined']],
    [
      "all problems at once",
      { environment: "qa", replicas: "x", extra: "1" },
      ['input "extra" is not defined', 'input "service" is required', '"qa" is not one of', '"x" is not a number'],
    ],
  ];

  it.each(invalid)("rejects: %s", (_name, given, fragments) => {
    let caught: unknown;
    try {
      resolveDispatchInputs(definitions, given);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SlipwayError);
    expect((caught as SlipwayError).code).toBe("INPUT_INVALID");
    for (const fragment of fragments) expect((caught as SlipwayError).message).toContain(fragment);
  });

  it("reports unknown inputs when the workflow defines none", () => {
    expect(() => resolveDispatchInputs({}, { x: "1" })).toThrow(/the workflow defines no inputs/);
  });
});
