/** Finds the corpus cases under test/fixtures/workflows/corpus and runs one through the engine. */

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConcurrencyGroups } from "../../../src/workflow/engine/concurrency";
import { compareRun } from "./compare";
import { loadCorpusCase, type CorpusCase } from "./corpus-case";
import { prepareCase } from "./prepare-case";
import { runCaseWithEngine } from "./run-with-engine";

export const corpusRoot = fileURLToPath(new URL("../../fixtures/workflows/corpus/", import.meta.url));

/** Case directory names, sorted (`01-…`, `02-…`). */
export function corpusCaseIds(): string[] {
  return readdirSync(corpusRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function readCorpusCase(id: string): Promise<CorpusCase> {
  return loadCorpusCase(join(corpusRoot, id), id);
}

/** Every difference between the case's expectations and what the engine did; empty when it passes. */
export async function runCorpusCase(corpusCase: CorpusCase): Promise<string[]> {
  const prepared = await prepareCase(corpusCase);
  try {
    const observed = await runCaseWithEngine({
      corpusCase,
      prepared,
      dataDir: join(prepared.repo.root, "data"),
      concurrency: new ConcurrencyGroups(),
      nextRunId: { value: 1 },
    });
    return corpusCase.runs.flatMap((run, index) => compareRun(index, run.workflows, observed[index] ?? new Map(), { placeholders: prepared.placeholders, logs: true }));
  } finally {
    await prepared.repo.remove();
  }
}
