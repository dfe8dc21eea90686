import { describe, expect, it } from "vitest";
import { foreignRunnerLabels } from "../../../src/workflow/engine/runner-labels";

describe("runs-on labels on the host executor", () => {
  it.each([
    ["ubuntu-latest", []],
    ["ubuntu-22.04", []],
    [["self-hosted", "linux", "x64"], []],
    ["windows-latest", ["windows-latest"]],
    [["self-hosted", "macOS"], ["macOS"]],
    [{ group: "big", labels: ["ubuntu-latest", "gpu"] }, ["gpu"]],
    [null, []],
  ] as const)("%j → %j", (runsOn, expected) => {
    expect(foreignRunnerLabels(runsOn as never)).toEqual(expected);
  });
});
