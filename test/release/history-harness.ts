/** Builds a case's commit history in a real temp git repository and plans its release. */

import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { GitRepo } from "../support/git-repo";
import { planRelease, type PlanReleaseOptions, type ReleasePlan } from "../../src/release";

const run = promisify(execFile);

/** Identity for the git calls slipway itself makes (release commits, annotated tags) on machines without git config. */
export function useTestGitIdentity(): void {
  Object.assign(process.env, {
    GIT_AUTHOR_NAME: "Release Test",
    GIT_AUTHOR_EMAIL: "release@example.com",
    GIT_COMMITTER_NAME: "Release Test",
    GIT_COMMITTER_EMAIL: "release@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
  });
}

export type Step =
  /** A commit touching one new file at the root. */
  | string
  /** A commit; `in` names services (files under services/<name>/), `files` exact paths; `id` labels it for reverts. */
  | { commit: string; in?: string[]; files?: string[]; id?: string; body?: string }
  /** `git revert` style (`Revert "…"`) or `revert: …` message for the commit labelled `of`. */
  | { revert: string; style?: "git" | "conventional"; in?: string[] }
  | { tag: string; annotated?: boolean }
  /** Create (if needed) and switch to a branch. */
  | { branch: string }
  /** Merge a branch into the current one with a merge commit. */
  | { merge: string }
  /** Move a file with git mv and commit. */
  | { move: [string, string]; commit: string };

export interface HistoryCase {
  name: string;
  /** Written as slipway.release.json (or .slipway/config.yml when `yaml`) in the first commit. */
  config?: Record<string, unknown>;
  yaml?: string;
  steps: Step[];
  options?: PlanReleaseOptions;
  /** service → next version (null: no release); or an error message pattern. */
  expect: Record<string, string | null> | { error: RegExp };
  tags?: Record<string, string>;
  changelog?: Record<string, string[]>;
  notInChangelog?: Record<string, string[]>;
  /** Skip the conventional-recommended-bump comparison (behaviour the reference defines differently). */
  noReference?: string;
}

export interface BuiltCase {
  repo: GitRepo;
  /** Case label → commit SHA. */
  ids: Map<string, string>;
}

export async function buildHistory(testCase: HistoryCase): Promise<BuiltCase> {
  const repo = await GitRepo.create("slipway-release-");
  const ids = new Map<string, string>();
  const headers = new Map<string, string>();
  let counter = 0;
  const files: Record<string, string> = { "README.md": "# demo\n" };
  if (testCase.config) files["slipway.release.json"] = JSON.stringify(testCase.config, null, 2);
  if (testCase.yaml) files[".slipway/config.yml"] = testCase.yaml;
  await repo.writeFiles(files);
  await repo.commitAll("chore: initial");
  const touch = async (step: { in?: string[]; files?: string[] }): Promise<void> => {
    counter += 1;
    const paths = step.files ?? (step.in ? step.in.map((service) => `services/${service}/file-${counter}.txt`) : [`file-${counter}.txt`]);
    await repo.writeFiles(Object.fromEntries(paths.map((path) => [path, `change ${counter}\n`])));
  };
  for (const step of testCase.steps) {
    if (typeof step === "string") {
      await touch({});
      await repo.commitAll(step);
    } else if ("revert" in step) {
      const sha = ids.get(step.revert);
      if (!sha) throw new Error(`unknown commit label ${step.revert}`);
      const header = headers.get(step.revert) ?? "";
      await touch(step);
      const message = step.style === "conventional" ? `revert: ${header}\n\nThis reverts commit ${sha}.` : `Revert "${header}"\n\nThis reverts commit ${sha}.`;
      ids.set(`revert:${step.revert}`, await repo.commitAll(message));
      headers.set(`revert:${step.revert}`, message.split("\n")[0]);
    } else if ("move" in step) {
      await mkdir(dirname(join(repo.dir, step.move[1])), { recursive: true });
      await repo.git("mv", step.move[0], step.move[1]);
      await repo.commitAll(step.commit);
    } else if ("commit" in step) {
      await touch(step);
      const sha = await repo.commitAll(step.body ? `${step.commit}\n\n${step.body}` : step.commit);
      if (step.id) {
        ids.set(step.id, sha);
        headers.set(step.id, step.commit);
      }
    } else if ("tag" in step) {
      if (step.annotated) await repo.git("tag", "-a", step.tag, "-m", step.tag);
      else await repo.tag(step.tag);
    } else if ("branch" in step) {
      await repo.switchTo(step.branch);
    } else if ("merge" in step) {
      await repo.git("merge", "--no-ff", "--quiet", "-m", `Merge branch '${step.merge}'`, step.merge);
    }
  }
  return { repo, ids };
}

export const fixedDate = new Date("2026-01-14T12:00:00Z");

export async function planCase(built: BuiltCase, testCase: HistoryCase, overrides: PlanReleaseOptions = {}): Promise<ReleasePlan[]> {
  return planRelease(built.repo.dir, { date: fixedDate, ...testCase.options, ...overrides });
}

/** conventional-recommended-bump with the conventionalcommits preset over `previousTag..HEAD`. */
export async function referenceBump(dir: string, previousTag: string): Promise<string | undefined> {
  const { Bumper } = await import("conventional-recommended-bump");
  const result = await new Bumper(dir).loadPreset("conventionalcommits").tag(previousTag).bump();
  return "releaseType" in result ? result.releaseType : undefined;
}

export async function gitOutput(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd: dir });
  return stdout;
}
