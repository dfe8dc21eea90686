/** The release table: real git histories → next versions, tags and changelog fragments, checked against conventional-recommended-bump. */

import { afterAll, describe, expect, it } from "vitest";
import semver from "semver";
import { buildHistory, planCase, referenceBump, useTestGitIdentity, type BuiltCase, type HistoryCase } from "./history-harness";
import { monorepoCases, prereleaseCases } from "./channel-and-monorepo-cases";
import { singleServiceCases } from "./single-service-cases";

useTestGitIdentity();

const built: BuiltCase[] = [];
afterAll(async () => {
  await Promise.all(built.map((b) => b.repo.remove()));
});

const allCases: [string, HistoryCase][] = [...singleServiceCases, ...prereleaseCases, ...monorepoCases].map((c) => [c.name, c]);
let referenceChecks = 0;

describe("release history table", () => {
  it("has at least 50 cases", () => {
    expect(allCases.length).toBeGreaterThanOrEqual(50);
  });

  it.concurrent.each(allCases)("%s", async (_name, testCase) => {
    const history = await buildHistory(testCase);
    built.push(history);
    if (testCase.expect.error instanceof RegExp) {
      await expect(planCase(history, testCase)).rejects.toThrow(testCase.expect.error);
      return;
    }
    const plans = await planCase(history, testCase);
    // The commit cache (written by the run above) changes nothing: a warm run and a run without it plan the same.
    expect(await planCase(history, testCase)).toEqual(plans);
    expect(await planCase(history, testCase, { cache: false })).toEqual(plans);
    const versions = Object.fromEntries(plans.map((plan) => [plan.service, plan.nextVersion]));
    expect(versions).toEqual(testCase.expect);
    for (const [service, tag] of Object.entries(testCase.tags ?? {})) expect(plans.find((p) => p.service === service)?.tag).toBe(tag);
    for (const [service, fragments] of Object.entries(testCase.changelog ?? {})) {
      const changelog = plans.find((p) => p.service === service)?.changelog ?? "";
      for (const fragment of fragments) expect(changelog).toContain(fragment);
    }
    for (const [service, fragments] of Object.entries(testCase.notInChangelog ?? {})) {
      const changelog = plans.find((p) => p.service === service)?.changelog ?? "";
      for (const fragment of fragments) expect(changelog).not.toContain(fragment);
    }
    // The reference defines the bump for one service at ≥ 1.0.0 on a stable channel when there is something to release.
    const [plan] = plans;
    const comparable = plans.length === 1 && !testCase.config?.services && !testCase.yaml && !plan.channel && plan.nextVersion && plan.previousTag && semver.gte(plan.previousVersion ?? "0.0.0", "1.0.0");
    if (comparable && !testCase.noReference) {
      expect(await referenceBump(history.repo.dir, plan.previousTag as string), "conventional-recommended-bump").toBe(plan.bump);
      referenceChecks += 1;
    }
  });

  it("compared at least 25 cases with conventional-recommended-bump", () => {
    console.log(`release table: ${allCases.length} cases, ${referenceChecks} compared with conventional-recommended-bump`);
    expect(referenceChecks).toBeGreaterThanOrEqual(25);
  });
});
