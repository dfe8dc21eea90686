/** Writing results: JSON for `--json`, and failures as one clear message (plus a hint) with a stable exit code. */

import { isSlipwayError, describeError } from "../core/errors";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit codes: 1 = the thing ran and failed (or found errors), 2 = usage or environment error. */
export function reportFailure(error: unknown, json = false): number {
  if (json) {
    const body = isSlipwayError(error) ? error.toJSON() : { code: "INTERNAL", message: describeError(error) };
    process.stdout.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
  } else {
    process.stderr.write(`slipway: ${describeError(error)}\n`);
    if (isSlipwayError(error) && error.hint) process.stderr.write(`hint: ${error.hint}\n`);
    if (!isSlipwayError(error) && process.env.SLIPWAY_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  }
  if (isSlipwayError(error) && (error.code === "USAGE" || error.code === "NOT_A_GIT_REPO" || error.code === "CONFIG_INVALID")) return 2;
  return 1;
}

/** Runs a command action, turning any thrown error into a message and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const last = args[args.length - 2] as { json?: boolean } | undefined;
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      process.exitCode = reportFailure(error, last?.json === true);
    }
  };
}
