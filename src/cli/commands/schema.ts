/** `slipway schema`: the JSON Schema (draft-07) of workflow files, for editors. */

import type { Command } from "commander";
import { workflowJsonSchema } from "../../workflow/parse";

export function registerSchemaCommand(program: Command): void {
  program
    .command("schema")
    .description("print a JSON Schema (draft-07) for workflow files, for editor validation and completion")
    .action(() => {
      process.stdout.write(`${JSON.stringify(workflowJsonSchema, null, 2)}\n`);
    });
}
