/** `slipway smoke-test --url URL [--status 200] [--body TEXT] [--timeout 30s]`: an HTTP check that exits 0 when it passes, 1 when not (a PostSync hook Job runs it). */

import type { Command } from "commander";
import { parseSmokeCheck, runSmokeTest, type SmokeCheckInput } from "../../sync/smoke-test";
import { action, printJson } from "../output";

type SmokeFlags = SmokeCheckInput & { json?: boolean };

async function smokeTest(flags: SmokeFlags): Promise<number> {
  const check = parseSmokeCheck(flags);
  const result = await runSmokeTest(check, flags.json ? undefined : (line) => void process.stdout.write(`${line}\n`));
  if (flags.json) printJson(result);
  else if (!result.ok) process.stderr.write(`slipway smoke-test: ${result.message}\n`);
  return result.ok ? 0 : 1;
}

export function registerSmokeTestCommand(program: Command): void {
  program
    .command("smoke-test")
    .description("check an HTTP endpoint: expected status and body within a timeout (exit 1 when it fails); works as a PostSync hook Job")
    .requiredOption("--url <url>", "the address to check")
    .option("--method <method>", "the HTTP method (default GET)")
    .option("--status <code>", "the expected status (default 200)")
    .option("--body <text>", "text the body must contain")
    .option("--body-regex <pattern>", "a regular expression the body must match")
    .option("--timeout <duration>", "time for the whole check, retries included (default 30s)")
    .option("--retries <n>", "attempts after the first failure (default 3)")
    .option("--interval <duration>", "wait between attempts (default 1s)")
    .option("--json", "print the attempts and the result as JSON")
    .action(action((flags: SmokeFlags) => smokeTest(flags)));
}
