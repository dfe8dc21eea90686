/** `slipway lint [PATH…]`: every problem in the workflows as `file:line:col: severity: message`; exit 1 on any error. */

import type { Command } from "commander";
import { describeError } from "../../core/errors";
import { hasErrors, lintPaths, renderLintReport } from "../../workflow/parse";

interface LintOptions {
  json?: boolean;
}

export function registerLintCommand(program: Command): void {
  program
    .command("lint")
    .description("check workflow files (default: the repository's .slipway/workflows or .github/workflows)")
    .argument("[paths...]", "workflow files or folders to check")
    .option("--json", "print { files, diagnostics } as JSON")
    .action(async (paths: string[], options: LintOptions) => {
      process.exitCode = await runLint(paths, options);
    });
}

async function runLint(paths: string[], options: LintOptions): Promise<number> {
  try {
    const result = await lintPaths(paths, process.cwd());
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      if (result.files.length === 0 && paths.length === 0) {
        process.stderr.write("slipway lint: no workflows found in .slipway/workflows/ or .github/workflows/\n");
      }
      process.stdout.write(renderLintReport(result));
    }
    return hasErrors(result.diagnostics) ? 1 : 0;
  } catch (error) {
    process.stderr.write(`slipway lint: ${describeError(error)}\n`);
    return 1;
  }
}
