/** `slipway dispatch WORKFLOW --ref REF --input k=v` and `slipway checks SHA`: server-side runs and checks. */

import type { Command } from "commander";
import type { RunRecord } from "../../store";
import { requireServer } from "../api-client";
import { collect, parseKeyValueFlags } from "../key-values";
import { action, printJson } from "../output";
import { renderTable, stateLabel, stateSymbol, styleFor } from "../render/style";
import { serverRepository } from "../server-repo";
import type { CheckRecord } from "../../store";

export function registerDispatchCommand(program: Command): void {
  program
    .command("dispatch")
    .description("start a workflow_dispatch run on the server")
    .argument("<workflow>", "the workflow file (path or file name)")
    .option("--ref <ref>", "the branch or tag (default: the repository's default branch)")
    .option("-i, --input <key=value>", "an input (repeatable)", collect, [])
    .option("--repository <owner/name>", "the repository (default: from the origin remote)")
    .option("--json", "print the created runs as JSON")
    .action(
      action(async (workflow: string, flags: { ref?: string; input: string[]; repository?: string; json?: boolean }) => {
        const repository = await serverRepository(flags.repository);
        const inputs = parseKeyValueFlags("--input", flags.input);
        const { runs } = await requireServer().request<{ runs: RunRecord[] }>("POST", `/repos/${repository}/dispatches`, { workflow, ref: flags.ref, inputs });
        if (flags.json) printJson(runs);
        else for (const run of runs) process.stdout.write(`started run ${run.id} (${run.workflowName} #${run.runNumber}) on ${run.ref} @ ${run.sha.slice(0, 7)}\n`);
        return 0;
      }),
    );

  program
    .command("checks")
    .description("the checks on a commit, and whether it shows 'validations passed'")
    .argument("<sha>", "a commit, branch or tag")
    .option("--repository <owner/name>", "the repository (default: from the origin remote)")
    .option("--json", "print the checks as JSON")
    .action(
      action(async (sha: string, flags: { repository?: string; json?: boolean }) => {
        const repository = await serverRepository(flags.repository);
        const result = await requireServer().request<{ sha: string; state: string; checks: CheckRecord[] }>("GET", `/repos/${repository}/commits/${encodeURIComponent(sha)}/checks`);
        if (flags.json) {
          printJson(result);
          return 0;
        }
        const style = styleFor(process.stdout);
        process.stdout.write(`${result.sha.slice(0, 7)}: ${result.state}\n`);
        if (result.checks.length > 0) {
          process.stdout.write(`${renderTable(["CHECK", "STATE", "RUN"], result.checks.map((c) => [c.name, `${stateSymbol(c.status, c.conclusion, style)} ${stateLabel(c.status, c.conclusion)}`, String(c.runId ?? "")]))}\n`);
        }
        return result.state === "validations passed" ? 0 : 1;
      }),
    );
}
