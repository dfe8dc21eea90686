/** The `slipway` command: parses flags and hands each command to its domain. */

import { Command } from "commander";
import { registerLintCommand } from "./commands/lint";
import { registerLogsCommand } from "./commands/logs";
import { registerRunCommand } from "./commands/run";
import { registerRunsCommand } from "./commands/runs";
import { registerSchemaCommand } from "./commands/schema";
import { registerUpCommand } from "./commands/up";
import { registerRepoCommand } from "./commands/repo";
import { registerDispatchCommand } from "./commands/dispatch";
import { registerPrCommand } from "./commands/pr";
import { registerHooksCommand } from "./commands/hooks";
import { registerReleaseCommand } from "./commands/release";

declare const SLIPWAY_VERSION: string;

export function buildProgram(): Command {
  const program = new Command("slipway")
    .description("Self-hosted delivery: GitHub Actions workflows, releases, images and GitOps in one program.")
    .version(typeof SLIPWAY_VERSION === "string" ? SLIPWAY_VERSION : "dev")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    // Unknown commands or options and missing arguments are usage errors: exit 2, as our own USAGE errors do.
    // Set before the commands are added, so that they inherit it.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  registerUpCommand(program);
  registerRunCommand(program);
  registerRunsCommand(program);
  registerLogsCommand(program);
  registerLintCommand(program);
  registerSchemaCommand(program);
  registerRepoCommand(program);
  registerDispatchCommand(program);
  registerPrCommand(program);
  registerHooksCommand(program);
  registerReleaseCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
