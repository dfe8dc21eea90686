/** Next versions, table-driven: stable, pre-1.0, first, taken, prerelease. */

import { describe, expect, it } from "vitest";
import { firstFreeVersion, nextPrereleaseVersion, nextStableVersion, type BumpLevel } from "../../src/release/version-bump";

describe("nextStableVersion", () => {
  it.each<[string | undefined, BumpLevel, boolean, string]>([
    ["1.2.3", "major", true, "2.0.0"],
    ["1.2.3", "minor", true, "1.3.0"],
    ["1.2.3", "patch", true, "1.2.4"],
    ["0.2.3", "major", true, "0.3.0"],
    ["0.2.3", "minor", true, "0.2.4"],
    ["0.2.3", "patch", true, "0.2.4"],
    ["0.2.3", "major", false, "1.0.0"],
    ["0.2.3", "minor", false, "0.3.0"],
    [undefined, "major", true, "1.0.0"],
  ])("%s + %s (preMajor %s) → %s", (previous, level, preMajor, expected) => {
    expect(nextStableVersion({ previous, level, preMajor, firstVersion: "1.0.0" })).toBe(expected);
  });
});

describe("firstFreeVersion", () => {
  it.each<[string, BumpLevel, string[], string]>([
    ["1.1.0", "minor", [], "1.1.0"],
    ["1.1.0", "minor", ["1.1.0"], "1.2.0"],
    ["1.1.0", "minor", ["1.1.0", "1.2.0"], "1.3.0"],
    ["1.0.1", "patch", ["1.0.1"], "1.0.2"],
  ])("%s (%s) with %j taken → %s", (candidate, level, taken, expected) => {
    expect(firstFreeVersion(candidate, level, new Set(taken))).toBe(expected);
  });
});

describe("nextPrereleaseVersion", () => {
  it.each<[string, string, string[], string]>([
    ["1.1.0", "rc", [], "1.1.0-rc.1"],
    ["1.1.0", "rc", ["1.1.0-rc.1", "1.1.0-rc.4"], "1.1.0-rc.5"],
    ["1.1.0", "rc", ["1.1.0-beta.7", "1.0.0-rc.9"], "1.1.0-rc.1"],
    ["2.0.0", "beta", ["2.0.0-beta.2"], "2.0.0-beta.3"],
  ])("%s on %s with %j → %s", (base, channel, taken, expected) => {
    expect(nextPrereleaseVersion(base, channel, taken)).toBe(expected);
  });
});
