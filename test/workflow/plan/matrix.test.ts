/** Table tests for matrix expansion, with the examples from GitHub's documentation. */

import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../../src/core/errors";
import type { JsonObject, JsonValue } from "../../../src/core/json";
import { expandMatrix, matrixInstances, matrixJobName } from "../../../src/workflow/plan";

const expansions: [string, JsonValue, JsonObject[]][] = [
  [
    "single axis",
    { version: [10, 12, 14] },
    [{ version: 10 }, { version: 12 }, { version: 14 }],
  ],
  [
    "two axes in key order",
    { os: ["ubuntu-22.04", "ubuntu-20.04"], version: [10, 12, 14] },
    [
      { os: "ubuntu-22.04", version: 10 },
      { os: "ubuntu-22.04", version: 12 },
      { os: "ubuntu-22.04", version: 14 },
      { os: "ubuntu-20.04", version: 10 },
      { os: "ubuntu-20.04", version: 12 },
      { os: "ubuntu-20.04", version: 14 },
    ],
  ],
  [
    "object values",
    { node: [{ version: 14 }, { version: 20, env: "NODE_OPTIONS=--openssl-legacy-provider" }], os: ["ubuntu-latest"] },
    [
      { node: { version: 14 }, os: "ubuntu-latest" },
      { node: { version: 20, env: "NODE_OPTIONS=--openssl-legacy-provider" }, os: "ubuntu-latest" },
    ],
  ],
  [
    "docs: expanding or adding configurations (fruit/animal)",
    {
      fruit: ["apple", "pear"],
      animal: ["cat", "dog"],
      include: [
        { color: "green" },
        { color: "pink", animal: "cat" },
        { fruit: "apple", shape: "circle" },
        { fruit: "banana" },
        { fruit: "banana", animal: "cat" },
      ],
    },
    [
      { fruit: "apple", animal: "cat", color: "pink", shape: "circle" },
      { fruit: "apple", animal: "dog", color: "green", shape: "circle" },
      { fruit: "pear", animal: "cat", color: "pink" },
      { fruit: "pear", animal: "dog", color: "green" },
      { fruit: "banana" },
      { fruit: "banana", animal: "cat" },
    ],
  ],
  [
    "docs: expanding configurations (npm 6 on windows node 16)",
    { os: ["windows-latest", "ubuntu-latest"], node: [14, 16], include: [{ os: "windows-latest", node: 16, npm: 6 }] },
    [
      { os: "windows-latest", node: 14 },
      { os: "windows-latest", node: 16, npm: 6 },
      { os: "ubuntu-latest", node: 14 },
      { os: "ubuntu-latest", node: 16 },
    ],
  ],
  [
    "docs: adding configurations (windows + version 17)",
    { os: ["windows-latest", "ubuntu-latest"], version: [12, 14, 16], include: [{ os: "windows-latest", version: 17 }] },
    [
      { os: "windows-latest", version: 12 },
      { os: "windows-latest", version: 14 },
      { os: "windows-latest", version: 16 },
      { os: "ubuntu-latest", version: 12 },
      { os: "ubuntu-latest", version: 14 },
      { os: "ubuntu-latest", version: 16 },
      { os: "windows-latest", version: 17 },
    ],
  ],
  [
    "docs: only include",
    { include: [{ site: "production", datacenter: "site-a" }, { site: "staging", datacenter: "site-b" }] },
    [
      { site: "production", datacenter: "site-a" },
      { site: "staging", datacenter: "site-b" },
    ],
  ],
  [
    "include adds a key to every combination",
    { os: ["a", "b"], include: [{ experimental: true }] },
    [
      { os: "a", experimental: true },
      { os: "b", experimental: true },
    ],
  ],
  [
    "a later include overwrites an added value but never an original one",
    { os: ["a", "b"], include: [{ label: "x" }, { os: "a", label: "y" }] },
    [
      { os: "a", label: "y" },
      { os: "b", label: "x" },
    ],
  ],
  [
    "include brings back an excluded combination",
    { os: ["a", "b"], v: [1, 2], exclude: [{ os: "a", v: 1 }], include: [{ os: "a", v: 1, extra: true }] },
    [
      { os: "a", v: 2 },
      { os: "b", v: 1 },
      { os: "b", v: 2 },
      { os: "a", v: 1, extra: true },
    ],
  ],
  [
    "include matching an object axis value",
    { node: [{ v: 1 }, { v: 2 }], include: [{ node: { v: 2 }, lts: true }] },
    [{ node: { v: 1 } }, { node: { v: 2 }, lts: true }],
  ],
];

describe("expandMatrix", () => {
  it.each(expansions)("%s", (_name, matrix, expected) => {
    expect(expandMatrix(matrix)).toEqual(expected);
  });

  it("docs: excluding (12 − 3 = 9 jobs, partial matches)", () => {
    const combinations = expandMatrix({
      os: ["macos-latest", "windows-latest"],
      version: [12, 14, 16],
      environment: ["staging", "production"],
      exclude: [
        { os: "macos-latest", version: 12, environment: "production" },
        { os: "windows-latest", version: 16 },
      ],
    });
    expect(combinations).toHaveLength(9);
    expect(combinations).not.toContainEqual({ os: "macos-latest", version: 12, environment: "production" });
    expect(combinations).not.toContainEqual({ os: "windows-latest", version: 16, environment: "staging" });
    expect(combinations).toContainEqual({ os: "macos-latest", version: 12, environment: "staging" });
  });

  it("allows exactly 256 combinations", () => {
    expect(expandMatrix({ a: range(16), b: range(16) })).toHaveLength(256);
  });

  const invalid: [string, JsonValue, RegExp][] = [
    ["more than 256", { a: range(16), b: range(17) }, /272 combinations exceed GitHub's limit of 256/],
    ["256 plus an include", { a: range(16), b: range(16), include: [{ a: 99 }] }, /257 combinations/],
    ["not a mapping", ["a"], /must be a mapping/],
    ["axis not a list", { os: "ubuntu" }, /axis "os" must be a list/],
    ["empty axis", { os: [] }, /axis "os" does not contain any values/],
    ["include not a list", { os: ["a"], include: { x: 1 } }, /include must be a list/],
    ["exclude entry not a mapping", { os: ["a"], exclude: ["a"] }, /exclude\[0\] must be a mapping/],
    ["exclude unknown key", { os: ["a"], exclude: [{ arch: "x" }] }, /exclude key "arch" does not match any axis/],
    ["empty matrix", {}, /produces no combinations/],
    ["everything excluded", { os: ["a"], exclude: [{ os: "a" }] }, /produces no combinations/],
  ];

  it.each(invalid)("rejects %s", (_name, matrix, message) => {
    let caught: unknown;
    try {
      expandMatrix(matrix);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SlipwayError);
    expect((caught as SlipwayError).code).toBe("WORKFLOW_INVALID");
    expect((caught as SlipwayError).message).toMatch(message);
  });
});

describe("matrixInstances", () => {
  it("gives one instance with an empty matrix when there is no matrix", () => {
    expect(matrixInstances(undefined)).toEqual([{}]);
    expect(matrixInstances(null)).toEqual([{}]);
  });

  it("expands a matrix", () => {
    expect(matrixInstances({ n: [1, 2] })).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe("matrixJobName", () => {
  it.each([
    ["build", { node: 20, os: "ubuntu-latest" }, "build (20, ubuntu-latest)"],
    ["build", {}, "build"],
    ["test", { node: { version: 20, lts: true }, os: "linux" }, "test (20, true, linux)"],
    ["test", { ratio: 1.5, flag: false, none: null }, "test (1.5, false, )"],
    ["deploy", { targets: ["a", "b"] }, "deploy (a, b)"],
  ])("%s %j → %s", (base, combination, expected) => {
    expect(matrixJobName(base, combination as JsonObject)).toBe(expected);
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
