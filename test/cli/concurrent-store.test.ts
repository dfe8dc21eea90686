/**
 * Several `slipway` processes opening one new SQLite store at once, as two `slipway run` started together
 * in a fresh repository do: every one migrates or finds the migration done, and runs are numbered without
 * a "database is locked" refusal.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, makeRepo, parseJson, slipway, workflowPath, type TempRepo } from "../support/cli";

const workflow = `name: Quick
on: workflow_dispatch
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
`;

const repos: TempRepo[] = [];
beforeAll(() => assertBuilt());
afterAll(async () => Promise.all(repos.map((repo) => repo.remove())));

async function freshRepo(): Promise<TempRepo> {
  const repo = await makeRepo({ [workflowPath("quick.yml")]: workflow });
  repos.push(repo);
  return repo;
}

describe.concurrent("one new SQLite store, several processes at once", () => {
  it("opens for six processes together, each of them answering", async () => {
    const repo = await freshRepo();
    const results = await Promise.all(Array.from({ length: 6 }, () => slipway(["runs", "--json"], repo.dir)));
    for (const result of results) {
      expect(result.code, result.stderr + result.stdout).toBe(0);
      expect(parseJson<unknown[]>(result)).toEqual([]);
    }
  });

  it("numbers four runs started together 1..4", async () => {
    const repo = await freshRepo();
    const dispatch = ["run", "--json", "--workflow", "quick.yml", "--event", "workflow_dispatch"];
    const results = await Promise.all(Array.from({ length: 4 }, () => slipway(dispatch, repo.dir)));
    for (const result of results) expect(result.code, result.stderr + result.stdout).toBe(0);
    const listed = parseJson<{ runNumber: number }[]>(await slipway(["runs", "--json"], repo.dir));
    expect(listed.map((run) => run.runNumber).sort()).toEqual([1, 2, 3, 4]);
  });
});
