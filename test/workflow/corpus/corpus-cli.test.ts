/**
 * The corpus cases marked `"cli": true`, run again through the built CLI (`slipway run --json`):
 * the CLI and the engine must give the same result for the same repository and event.
 */

import { beforeAll, describe, expect, it } from "vitest";
import { assertBuilt } from "../../support/cli";
import { compareRun } from "./compare";
import { corpusCaseIds, readCorpusCase } from "./corpus-cases";
import { prepareCase } from "./prepare-case";
import { cliCanRun, runWithCli } from "./run-with-cli";

const cases = await Promise.all(corpusCaseIds().map(readCorpusCase));
const cliCases = cases.filter((c) => c.cli === true);

describe("workflow corpus through slipway run --json", () => {
  beforeAll(() => assertBuilt());

  it("has a handful of cases", () => {
    expect(cliCases.length).toBeGreaterThanOrEqual(5);
  });

  for (const corpusCase of cliCases) {
    it(corpusCase.id, async () => {
      const prepared = await prepareCase(corpusCase);
      try {
        const problems: string[] = [];
        for (const [index, run] of corpusCase.runs.entries()) {
          if (!cliCanRun(run)) continue;
          const observed = await runWithCli(corpusCase, prepared, run, index);
          problems.push(...compareRun(index, run.workflows, observed, { placeholders: prepared.placeholders, logs: false }));
        }
        expect(problems, `${corpusCase.id} via the CLI\n${problems.join("\n")}`).toEqual([]);
      } finally {
        await prepared.repo.remove();
      }
    });
  }
});
