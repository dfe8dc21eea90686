/**
 * The workflow corpus: every case under test/fixtures/workflows/corpus is a small repository with
 * workflows and an expect.json; each runs on the host executor through matchTrigger and runWorkflow
 * and must end exactly as expected (jobs, steps, outputs, logs).
 */

import { describe, expect, it } from "vitest";
import { corpusCaseIds, readCorpusCase, runCorpusCase } from "./corpus-cases";

const ids = corpusCaseIds();

describe("workflow corpus", () => {
  it("has at least 40 cases", () => {
    expect(ids.length).toBeGreaterThanOrEqual(40);
  });

  for (const id of ids) {
    it(id, async () => {
      const corpusCase = await readCorpusCase(id);
      const problems = await runCorpusCase(corpusCase);
      expect(problems, `${id}: ${corpusCase.description}\n${problems.join("\n")}`).toEqual([]);
    });
  }
});
