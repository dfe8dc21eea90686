/** GET /api/v1/repos/:owner/:name/branches: the branches of a hosted repository with their head commit and protection. */

import type { FastifyPluginAsync } from "fastify";
import { gitMaybe } from "../../git/git-cli";
import { findRepoOrThrow, requireRepoRole } from "../access";
import type { ServerContext } from "../server-context";
import { arrayOf, branchSchema } from "./openapi-schemas";

type RepoParams = { owner: string; name: string };

export interface BranchView {
  name: string;
  sha: string;
  default: boolean;
  protected: boolean;
  /** Committer time of the head commit, epoch ms. */
  committedAt: number;
  subject: string;
}

const repoParams = { type: "object", required: ["owner", "name"], properties: { owner: { type: "string" }, name: { type: "string" } } } as const;

/** Branches of a bare repository, default branch first, then the most recently committed. */
export async function listBranches(repoDir: string, defaultBranch: string, protectedBranches: Set<string>): Promise<BranchView[]> {
  const out = await gitMaybe(["for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(committerdate:unix)%00%(contents:subject)", "refs/heads/"], repoDir);
  const branches = (out ?? "").split("\n").filter(Boolean).map((line): BranchView => {
    const [name = "", sha = "", time = "0", subject = ""] = line.split("\0");
    return { name, sha, default: name === defaultBranch, protected: protectedBranches.has(name) || name === defaultBranch, committedAt: Number(time) * 1000, subject };
  });
  return branches.sort((a, b) => Number(b.default) - Number(a.default) || b.committedAt - a.committedAt || a.name.localeCompare(b.name));
}

export function branchRoutes(context: ServerContext): FastifyPluginAsync {
  const { store } = context;
  return async (app) => {
    app.get<{ Params: RepoParams }>(
      "/repos/:owner/:name/branches",
      { schema: { summary: "Branches with their head commit", tags: ["branches"], params: repoParams, response: { 200: arrayOf(branchSchema) } } },
      async (request) => {
        const repo = await findRepoOrThrow(store, request.params.owner, request.params.name);
        await requireRepoRole(store, repo, request.user, "viewer");
        const protections = await store.db.selectFrom("branch_protections").select("branch").where("repo_id", "=", repo.id).execute();
        return listBranches(context.repoPath(repo), repo.defaultBranch, new Set(protections.map((row) => row.branch)));
      },
    );
  };
}
