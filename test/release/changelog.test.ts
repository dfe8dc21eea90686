/** CHANGELOG sections and prepending, with exact output. */

import { describe, expect, it } from "vitest";
import { parseConventionalCommit, prependToChangelog, renderChangelogSection } from "../../src/release";

const commit = (n: number, message: string) => parseConventionalCommit({ sha: `${n}`.repeat(40), parents: [], message, files: [] });

const commits = [
  commit(1, "feat(auth): add 2FA (#34)\n\nCloses #12"),
  commit(2, "fix: rounding"),
  commit(3, "perf(db): index users"),
  commit(4, "feat!: drop XML"),
  commit(5, 'Revert "feat: beta flag"\n\nThis reverts commit abcdef1.'),
  commit(6, "chore: deps"),
];

describe("renderChangelogSection", () => {
  it("renders linked sections in order, breaking first", () => {
    const url = "https://git.example.com/shop/app";
    expect(renderChangelogSection({ version: "2.0.0", previousTag: "v1.4.0", tag: "v2.0.0", date: "2026-01-14", commits, repositoryUrl: url })).toBe(
      [
        "## [2.0.0](https://git.example.com/shop/app/compare/v1.4.0...v2.0.0) (2026-01-14)",
        "",
        "### BREAKING CHANGES",
        "",
        `* drop XML ([4444444](${url}/commit/${"4".repeat(40)}))`,
        "",
        "### Features",
        "",
        `* **auth:** add 2FA ([#34](${url}/pull/34)) ([1111111](${url}/commit/${"1".repeat(40)})), closes [#12](${url}/issues/12)`,
        `* drop XML ([4444444](${url}/commit/${"4".repeat(40)}))`,
        "",
        "### Bug Fixes",
        "",
        `* rounding ([2222222](${url}/commit/${"2".repeat(40)}))`,
        "",
        "### Performance",
        "",
        `* **db:** index users ([3333333](${url}/commit/${"3".repeat(40)}))`,
        "",
        "### Reverts",
        "",
        `* feat: beta flag ([5555555](${url}/commit/${"5".repeat(40)}))`,
        "",
      ].join("\n"),
    );
  });

  it("renders plain text without a repository URL", () => {
    const text = renderChangelogSection({ version: "1.0.0", tag: "v1.0.0", date: "2026-01-14", commits: commits.slice(0, 1) });
    expect(text).toBe("## 1.0.0 (2026-01-14)\n\n### Features\n\n* **auth:** add 2FA (#34) (1111111), closes #12\n");
  });
});

describe("prependToChangelog", () => {
  const section = "## 1.1.0 (2026-01-14)\n\n* new\n";
  it.each([
    ["no file", undefined, "# Changelog\n\n## 1.1.0 (2026-01-14)\n\n* new\n"],
    ["empty file", "", "# Changelog\n\n## 1.1.0 (2026-01-14)\n\n* new\n"],
    ["title and an older release", "# Changelog\n\nIntro.\n\n## 1.0.0 (2025-01-01)\n\n* old\n", "# Changelog\n\nIntro.\n\n## 1.1.0 (2026-01-14)\n\n* new\n\n## 1.0.0 (2025-01-01)\n\n* old\n"],
    ["title only", "# Changelog\n", "# Changelog\n\n## 1.1.0 (2026-01-14)\n\n* new\n"],
  ])("%s", (_name, existing, expected) => {
    expect(prependToChangelog(existing, section)).toBe(expected);
  });
});
