/** Extension functions slipway adds to GitHub's built-ins: the job status functions and hashFiles. */

import { data } from "@actions/expressions";
import type { FunctionDefinition, FunctionInfo } from "@actions/expressions/funcs/info";

export interface StatusFunctions {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

export interface EvaluationOptions {
  status?: StatusFunctions;
  hashFiles?: (patterns: string[]) => string;
}

/** Outside of an `if`, or when no status is known, the run is assumed healthy so far. */
const healthyStatus: StatusFunctions = { success: () => true, failure: () => false, cancelled: () => false };

export const statusFunctionNames = ["success", "failure", "cancelled", "always"] as const;

/** hashFiles takes at most 255 patterns on GitHub, like format's arguments. */
export const extensionFunctionInfo: FunctionInfo[] = [
  ...statusFunctionNames.map((name) => ({ name, minArgs: 0, maxArgs: 0 })),
  { name: "hashFiles", minArgs: 1, maxArgs: 255 },
];

export class FunctionUnavailableError extends Error {}

export function extensionFunctions(options: EvaluationOptions = {}): Map<string, FunctionDefinition> {
  const status = options.status ?? healthyStatus;
  const definitions: FunctionDefinition[] = [
    { name: "success", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.success()) },
    { name: "failure", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.failure()) },
    { name: "cancelled", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(status.cancelled()) },
    { name: "always", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) },
    {
      name: "hashFiles",
      minArgs: 1,
      maxArgs: 255,
      call: (...args) => {
        if (!options.hashFiles) throw new FunctionUnavailableError("hashFiles() is not available in this context");
        return new data.StringData(options.hashFiles(args.map((arg) => arg.coerceString())));
      },
    },
  ];
  // The evaluator looks functions up by their lower-cased name.
  return new Map(definitions.map((definition) => [definition.name.toLowerCase(), definition]));
}
