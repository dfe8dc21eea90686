/** Table tests for GitHub's filter pattern cheat sheet. */

import { describe, expect, it } from "vitest";
import { matchFilterPattern, matchFilters, matchPathFilters } from "../../../src/workflow/triggers";

// [pattern, value, matches] — examples from GitHub's "Filter pattern cheat sheet".
const patternCases: [string, string, boolean][] = [
  ["feature/*", "feature/my-branch", true],
  ["feature/*", "feature/your-branch", true],
  ["feature/*", "feature/a/b", false],
  ["feature/**", "feature/beta-a/my-branch", true],
  ["feature/**", "feature/mona/the/octocat", true],
  ["main", "main", true],
  ["main", "Main", false],
  ["main", "main2", false],
  ["releases/mona-the-octocat", "releases/mona-the-octocat", true],
  ["*", "main", true],
  ["*", "releases", true],
  ["*", "releases/v1", false],
  ["**", "all/the/branches", true],
  ["**", "every/tag", true],
  ["*feature", "mona-feature", true],
  ["*feature", "feature", true],
  ["*feature", "ver-10-feature", true],
  ["v2*", "v2", true],
  ["v2*", "v2.0", true],
  ["v2*", "v2.9", true],
  ["v2*", "v3", false],
  ["v[12].[0-9]+.[0-9]+", "v1.10.1", true],
  ["v[12].[0-9]+.[0-9]+", "v2.0.0", true],
  ["v[12].[0-9]+.[0-9]+", "v3.0.0", false],
  ["v[12].[0-9]+.[0-9]+", "v1x0.0", false],
  ["v[12].[0-9]+.[0-9]+", "v1.a.0", false],
  ["*.jsx?", "page.js", true],
  ["*.jsx?", "page.jsx", true],
  ["*.jsx?", "page.jsxx", false],
  ["*.jsx?", "dir/page.js", false],
  ["**.js", "index.js", true],
  ["**.js", "js/index.js", true],
  ["**.js", "src/js/app.js", true],
  ["docs/*", "docs/README.md", true],
  ["docs/*", "docs/file.txt", true],
  ["docs/*", "docs/sub/file.txt", false],
  ["docs/**", "docs/README.md", true],
  ["docs/**", "docs/mona/octocat.txt", true],
  ["docs/**/*.md", "docs/README.md", true],
  ["docs/**/*.md", "docs/mona/hello-world.md", true],
  ["docs/**/*.md", "docs/a/markdown/file.md", true],
  ["**/docs/**", "docs/hello.md", true],
  ["**/docs/**", "mydocs/hello.md", false],
  ["**/docs/**", "dir/docs/my-file.txt", true],
  ["**/docs/**", "space/docs/plan/space.doc", true],
  ["**/README.md", "README.md", true],
  ["**/README.md", "NOT-README.md", false],
  ["**/README.md", "js/README.md", true],
  ["**/*src/**", "a/src/app.js", true],
  ["**/*src/**", "my-src/code/js/app.js", true],
  ["**/*-post.md", "my-post.md", true],
  ["**/*-post.md", "path/their-post.md", true],
  ["**/migrate-*.sql", "migrate-10909.sql", true],
  ["**/migrate-*.sql", "db/migrate-v1.0.sql", true],
  ["**/migrate-*.sql", "db/sept/migrate-v1.sql", true],
  ["[CB]at", "Cat", true],
  ["[CB]at", "Bat", true],
  ["[CB]at", "Hat", false],
  ["[1-2]00", "100", true],
  ["[1-2]00", "300", false],
  ["a+b", "aaab", true],
  ["a+b", "b", false],
  ["release\\*", "release*", true],
  ["release\\*", "release1", false],
  ["v1.0", "v1x0", false],
  ["(x)|y", "(x)|y", true],
];

describe("matchFilterPattern", () => {
  it.each(patternCases)("%s ~ %s → %s", (pattern, value, expected) => {
    expect(matchFilterPattern(value, pattern)).toBe(expected);
  });
});

const filterCases: [string, string, string[] | undefined, string[] | undefined, boolean][] = [
  ["no filters", "anything", undefined, undefined, true],
  ["include hit", "main", ["main", "releases/**"], undefined, true],
  ["include miss", "dev", ["main", "releases/**"], undefined, false],
  ["negation after", "releases/10-beta", ["releases/**", "!releases/**-beta"], undefined, false],
  ["negation keeps others", "releases/10", ["releases/**", "!releases/**-beta"], undefined, true],
  ["later positive overrides", "releases/10-beta", ["releases/**", "!releases/**-beta", "releases/10-beta"], undefined, true],
  ["negation first then positive", "releases/x-beta", ["!releases/**-beta", "releases/**"], undefined, true],
  ["only negative matches nothing", "main", ["!dev"], undefined, false],
  ["ignore hit", "mona/octocat", undefined, ["mona/octocat", "releases/**-alpha"], false],
  ["ignore miss", "main", undefined, ["mona/octocat", "releases/**-alpha"], true],
  ["ignore glob", "releases/beta/3-alpha", undefined, ["releases/**-alpha"], false],
];

describe("matchFilters", () => {
  it.each(filterCases)("%s", (_name, value, include, ignore, expected) => {
    expect(matchFilters(value, include, ignore)).toBe(expected);
  });
});

const pathCases: [string, string[] | undefined, string[] | undefined, string[] | undefined, boolean][] = [
  ["unknown changes pass", undefined, ["src/**"], undefined, true],
  ["unknown changes pass ignore", undefined, undefined, ["docs/**"], true],
  ["any path matches", ["README.md", "src/a.ts"], ["src/**"], undefined, true],
  ["no path matches", ["README.md"], ["src/**"], undefined, false],
  ["negated path", ["sub-project/docs/a.md"], ["sub-project/**", "!sub-project/docs/**"], undefined, false],
  ["negated path with another change", ["sub-project/docs/a.md", "sub-project/x.ts"], ["sub-project/**", "!sub-project/docs/**"], undefined, true],
  ["all ignored skips", ["docs/a.md", "docs/b.md"], undefined, ["docs/**"], false],
  ["one not ignored runs", ["docs/a.md", "src/b.ts"], undefined, ["docs/**"], true],
  ["ignore with re-include", ["docs/keep.md"], undefined, ["docs/**", "!docs/keep.md"], true],
  ["no changes with paths", [], ["src/**"], undefined, false],
];

describe("matchPathFilters", () => {
  it.each(pathCases)("%s", (_name, changed, paths, ignore, expected) => {
    expect(matchPathFilters(changed, paths, ignore)).toBe(expected);
  });
});
