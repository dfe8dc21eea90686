/** Release configuration: defaults, validation errors that name the field, globs, channels. */

import { describe, expect, it } from "vitest";
import { channelForBranch, expandServices, isSingleService, parseReleaseConfig, tagPrefixFor } from "../../src/release/release-config";

describe("parseReleaseConfig", () => {
  it("fills defaults", () => {
    expect(parseReleaseConfig({}, "f.json")).toMatchObject({ firstVersion: "1.0.0", preMajor: true, onVersionTaken: "fail", prerelease: [{ branch: "release/*", channel: "rc" }] });
  });

  it("names services after their directory", () => {
    expect(parseReleaseConfig({ services: [{ path: "./services/api/" }] }, "f.json").services).toEqual([{ name: "api", path: "services/api", firstVersion: undefined, tagPrefix: undefined }]);
  });

  it.each([
    [{ services: [] }, /f\.json: services must be a non-empty list/],
    [{ services: [{ name: "x" }] }, /services\[0\]\.path is required/],
    [{ services: [{ path: "../up" }] }, /services\[0\]\.path must be a directory inside the repository/],
    [{ services: [{ path: "a/*/b" }] }, /may only use \* as its last segment/],
    [{ services: [{ path: "a" }, { path: "b/a" }] }, /services\[1\]\.name 'a' is used by two services/],
    [{ services: [{ path: "a", port: 1 }] }, /services\[0\]\.port is not a known field/],
    [{ firstVersion: "one" }, /firstVersion must be a semantic version/],
    [{ services: [{ path: "a", firstVersion: "1.0" }] }, /services\[0\]\.firstVersion must be a semantic version/],
    [{ preMajor: "yes" }, /preMajor must be true or false/],
    [{ prerelease: { "release/*": "r c" } }, /prerelease\.release\/\* must be a prerelease identifier/],
    [{ onVersionTaken: "bump" }, /onVersionTaken must be 'fail' or 'skip'/],
    [{ servics: [] }, /servics is not a known field/],
    [[], /\(root\) must be an object/],
  ])("rejects %j", (value, message) => {
    expect(() => parseReleaseConfig(value, "f.json")).toThrow(message);
  });
});

describe("services", () => {
  it("expands dir/* to each directory", () => {
    expect(expandServices([{ name: "", path: "svc/*", firstVersion: "0.1.0" }], () => ["b", "a"])).toEqual([
      { name: "a", path: "svc/a", firstVersion: "0.1.0" },
      { name: "b", path: "svc/b", firstVersion: "0.1.0" },
    ]);
  });

  it.each([
    [[{ name: "", path: "." }], true, "v"],
    [[{ name: "api", path: "services/api" }], false, "api/v"],
    [[{ name: "api", path: "services/api", tagPrefix: "api-" }], false, "api-"],
  ])("single=%s prefix", (services, single, prefix) => {
    expect(isSingleService(services)).toBe(single);
    expect(tagPrefixFor(services[0], single)).toBe(prefix);
  });
});

describe("channelForBranch", () => {
  const channels = [{ branch: "release/*", channel: "rc" }, { branch: "next", channel: "next" }];
  it.each([
    ["main", undefined, undefined],
    ["release/1.2", undefined, "rc"],
    ["release", undefined, undefined],
    ["next", undefined, "next"],
    ["main", "beta", "beta"],
    [undefined, undefined, undefined],
  ])("%s (forced %s) → %s", (branch, forced, expected) => {
    expect(channelForBranch(branch, channels, forced)).toBe(expected);
  });
});
