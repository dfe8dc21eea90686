/** Table tests for matching `on:` triggers against events, with their dry-run reasons. */

import { describe, expect, it } from "vitest";
import type { Triggers } from "../../../src/workflow/model";
import type { TriggerEvent } from "../../../src/workflow/trigger-event";
import { matchTrigger } from "../../../src/workflow/triggers";
import { otherEvent, pullRequestEvent, pushEvent, workflowWith } from "./fixtures";

const cases: [string, Partial<Triggers>, TriggerEvent, boolean, string][] = [
  ["push without filters, branch", { push: {} }, pushEvent("refs/heads/dev"), true, "push to refs/heads/dev: branch matches"],
  ["push without filters, tag", { push: {} }, pushEvent("refs/tags/v1.0.0"), true, "push to refs/tags/v1.0.0: tag matches"],
  ["branch filter hit", { push: { branches: ["main"] } }, pushEvent("refs/heads/main"), true, "branch matches"],
  [
    "branch filter miss",
    { push: { branches: ["main"] } },
    pushEvent("refs/heads/feature/x"),
    false,
    "push to refs/heads/feature/x: branch does not match [main]",
  ],
  ["branch glob", { push: { branches: ["feature/**"] } }, pushEvent("refs/heads/feature/a/b"), true, "branch matches"],
  ["branches-ignore hit", { push: { branchesIgnore: ["dependabot/**"] } }, pushEvent("refs/heads/dependabot/npm/x"), false, "branch is ignored by [dependabot/**]"],
  ["branches-ignore miss", { push: { branchesIgnore: ["dependabot/**"] } }, pushEvent("refs/heads/main"), true, "branch matches"],
  ["tag push with only branch filters", { push: { branches: ["main"] } }, pushEvent("refs/tags/v1"), false, "filters branches only, not tags"],
  ["branch push with only tag filters", { push: { tags: ["v*"] } }, pushEvent("refs/heads/main"), false, "filters tags only, not branches"],
  ["tag filter hit", { push: { tags: ["v*"] } }, pushEvent("refs/tags/v1.2.3"), true, "tag matches"],
  ["tag filter miss", { push: { tags: ["v*"] } }, pushEvent("refs/tags/release-1"), false, "tag does not match [v*]"],
  ["tags-ignore", { push: { tagsIgnore: ["*-rc*"] } }, pushEvent("refs/tags/v1-rc1"), false, "tag is ignored by [*-rc*]"],
  ["branch and tag filters, branch", { push: { branches: ["main"], tags: ["v*"] } }, pushEvent("refs/heads/main"), true, "branch matches"],
  ["branch and tag filters, tag", { push: { branches: ["main"], tags: ["v*"] } }, pushEvent("refs/tags/v2"), true, "tag matches"],
  ["paths hit", { push: { paths: ["services/api/**"] } }, pushEvent("refs/heads/main", ["services/api/src/a.ts"]), true, "branch matches"],
  [
    "paths miss",
    { push: { branches: ["main"], paths: ["services/api/**"] } },
    pushEvent("refs/heads/main", ["README.md"]),
    false,
    "push to refs/heads/main: no changed path matches [services/api/**]",
  ],
  ["paths unknown", { push: { paths: ["services/api/**"] } }, pushEvent("refs/heads/main"), true, "branch matches"],
  ["paths-ignore all", { push: { pathsIgnore: ["docs/**"] } }, pushEvent("refs/heads/main", ["docs/a.md"]), false, "every changed path is ignored by [docs/**]"],
  ["paths-ignore some", { push: { pathsIgnore: ["docs/**"] } }, pushEvent("refs/heads/main", ["docs/a.md", "x.ts"]), true, "branch matches"],
  ["paths are not evaluated for tags", { push: { tags: ["v*"], paths: ["src/**"] } }, pushEvent("refs/tags/v1", ["README.md"]), true, "tag matches"],
  ["no push trigger", { pullRequest: {} }, pushEvent("refs/heads/main"), false, "the workflow has no push trigger"],
  ["pull_request default types", { pullRequest: {} }, pullRequestEvent("opened", "main"), true, "pull_request opened into main: matches"],
  ["pull_request synchronize", { pullRequest: {} }, pullRequestEvent("synchronize", "main"), true, "matches"],
  ["pull_request closed not default", { pullRequest: {} }, pullRequestEvent("closed", "main"), false, "activity type is not one of [opened, synchronize, reopened]"],
  ["pull_request closed listed", { pullRequest: { types: ["closed"] } }, pullRequestEvent("closed", "main"), true, "matches"],
  ["pull_request base branch hit", { pullRequest: { branches: ["main"] } }, pullRequestEvent("opened", "main"), true, "matches"],
  ["pull_request base branch miss", { pullRequest: { branches: ["main"] } }, pullRequestEvent("opened", "develop"), false, "base branch does not match [main]"],
  ["pull_request paths", { pullRequest: { paths: ["web/**"] } }, pullRequestEvent("opened", "main", ["api/x.ts"]), false, "no changed path matches [web/**]"],
  ["workflow_dispatch", { workflowDispatch: { inputs: {} } }, otherEvent("workflow_dispatch"), true, "workflow_dispatch on refs/heads/main"],
  ["workflow_dispatch missing", { push: {} }, otherEvent("workflow_dispatch"), false, "no workflow_dispatch trigger"],
  ["schedule hit", { schedule: [{ cron: "0 3 * * 1-5" }] }, otherEvent("schedule", { schedule: "0  3 * * 1-5" }), true, 'schedule "0  3 * * 1-5"'],
  ["schedule other cron", { schedule: [{ cron: "0 3 * * 1-5" }] }, otherEvent("schedule", { schedule: "0 4 * * *" }), false, "is not one of [0 3 * * 1-5]"],
  ["workflow_call", { workflowCall: { inputs: {}, outputs: {}, secrets: {} } }, otherEvent("workflow_call"), true, "workflow_call"],
];

describe("matchTrigger", () => {
  it.each(cases)("%s", (_name, on, event, matched, reason) => {
    const result = matchTrigger(workflowWith(on), event);
    expect(result.matched).toBe(matched);
    expect(result.reason).toContain(reason);
  });
});
