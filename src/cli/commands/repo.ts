/** `slipway repo create|list|delete`: hosted repositories on the server. */

import type { Command } from "commander";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";

interface RepoView {
  name: string;
  cloneUrl: string;
  public: boolean;
  defaultBranch: string;
  branchPatterns: string[];
}

export function registerRepoCommand(program: Command): void {
  const repo = program.command("repo").description("hosted repositories on the slipway server (SLIPWAY_URL)");
  repo
    .command("create")
    .argument("<name>", "owner/name, or name under your own user")
    .option("--public", "readable without a token")
    .option("--default-branch <branch>", "the default branch", "main")
    .option("--branch-pattern <glob>", "allowed branch names, e.g. 'feature/*' (repeatable)", (v: string, p: string[] = []) => [...p, v], [])
    .option("--json", "print the repository as JSON")
    .description("create a repository")
    .action(
      action(async (name: string, flags: { public?: boolean; defaultBranch: string; branchPattern: string[]; json?: boolean }) => {
        const created = await requireServer().request<RepoView>("POST", "/repos", { name, public: flags.public ?? false, defaultBranch: flags.defaultBranch, branchPatterns: flags.branchPattern });
        if (flags.json) printJson(created);
        else process.stdout.write(`created ${created.name}\nclone:  git clone ${created.cloneUrl}\n`);
        return 0;
      }),
    );
  repo
    .command("list")
    .option("--json", "print the repositories as JSON")
    .description("list repositories you can see")
    .action(
      action(async (flags: { json?: boolean }) => {
        const repos = await requireServer().request<RepoView[]>("GET", "/repos");
        if (flags.json) printJson(repos);
        else process.stdout.write(`${renderTable(["NAME", "VISIBILITY", "DEFAULT", "CLONE URL"], repos.map((r) => [r.name, r.public ? "public" : "private", r.defaultBranch, r.cloneUrl]))}\n`);
        return 0;
      }),
    );
  repo
    .command("delete")
    .argument("<name>", "owner/name")
    .description("delete a repository and its git data")
    .action(
      action(async (name: string) => {
        await requireServer().request("DELETE", `/repos/${name}`);
        process.stdout.write(`deleted ${name}\n`);
        return 0;
      }),
    );
}
