/** Table tests for the job DAG: stable order, dependents, cycles and transitive needs. */

import { describe, expect, it } from "vitest";
import { planJobGraph, transitiveNeeds } from "../../../src/workflow/plan";
import { job } from "../triggers/fixtures";

const orders: [string, [string, string[]][], string[]][] = [
  ["independents keep declaration order", [["c", []], ["a", []], ["b", []]], ["c", "a", "b"]],
  ["chain", [["deploy", ["build"]], ["build", ["lint"]], ["lint", []]], ["lint", "build", "deploy"]],
  [
    "diamond",
    [["build", []], ["test", ["build"]], ["lint", ["build"]], ["release", ["test", "lint"]]],
    ["build", "test", "lint", "release"],
  ],
  [
    "ready jobs in declaration order, not discovery order",
    [["a", []], ["late", ["b"]], ["b", []], ["early", ["a"]]],
    ["a", "b", "late", "early"],
  ],
  ["unknown needs are ignored", [["a", ["ghost"]], ["b", ["a"]]], ["a", "b"]],
  ["duplicate needs", [["a", []], ["b", ["a", "a"]]], ["a", "b"]],
];

describe("planJobGraph", () => {
  it.each(orders)("%s", (_name, spec, expected) => {
    const graph = planJobGraph(spec.map(([id, needs]) => job(id, { needs })));
    expect(graph.order).toEqual(expected);
    expect(graph.cycle).toBeUndefined();
  });

  it("lists dependents in declaration order", () => {
    const graph = planJobGraph([job("build"), job("test", { needs: ["build"] }), job("lint", { needs: ["build"] }), job("x")]);
    expect(Object.fromEntries(graph.dependents)).toEqual({ build: ["test", "lint"], test: [], lint: [], x: [] });
  });

  it.each([
    ["self", [["a", ["a"]]], ["a", "a"]],
    ["two jobs", [["a", ["b"]], ["b", ["a"]]], ["a", "b", "a"]],
    ["behind an independent", [["ok", []], ["x", ["z"]], ["y", ["x"]], ["z", ["y"]], ["after", ["z"]]], ["x", "z", "y", "x"]],
  ] as [string, [string, string[]][], string[]][])("finds a cycle: %s", (_name, spec, cycle) => {
    const graph = planJobGraph(spec.map(([id, needs]) => job(id, { needs })));
    expect(graph.cycle).toEqual(cycle);
    expect(graph.order).not.toContain(cycle[0]);
  });
});

describe("transitiveNeeds", () => {
  const jobs = [job("lint"), job("build", { needs: ["lint"] }), job("test", { needs: ["build"] }), job("deploy", { needs: ["test", "lint"] }), job("other")];
  it.each([
    ["deploy", ["lint", "build", "test"]],
    ["test", ["lint", "build"]],
    ["lint", []],
    ["missing", []],
  ])("%s", (id, expected) => {
    expect(transitiveNeeds(jobs, id)).toEqual(expected);
  });

  it("terminates on a cycle", () => {
    expect(transitiveNeeds([job("a", { needs: ["b"] }), job("b", { needs: ["a"] })], "a")).toEqual(["b"]);
  });
});
