/** Commit message parsing, table-driven. */

import { describe, expect, it } from "vitest";
import { parseConventionalCommit, type ConventionalCommit } from "../../src/release";

const sha = "a".repeat(40);
const parse = (message: string, parents = ["p"]): ConventionalCommit => parseConventionalCommit({ sha, parents, message, files: [] });

const cases: [string, string, Partial<ConventionalCommit>][] = [
  ["plain feat", "feat: add login", { type: "feat", subject: "add login", breaking: false, scope: undefined }],
  ["scope", "fix(api): null check", { type: "fix", scope: "api", subject: "null check" }],
  ["bang", "feat(api)!: drop v1", { breaking: true, breakingNotes: ["drop v1"] }],
  ["bang without scope", "refactor!: rename", { type: "refactor", breaking: true }],
  ["type is lower-cased", "FIX: x", { type: "fix" }],
  ["no space after colon is not conventional", "feat:x", { type: undefined, subject: "feat:x" }],
  ["scope cannot swallow the subject", "feat(a): b (c): d", { scope: "a", subject: "b (c): d" }],
  ["PR number", "feat: search (#34)", { subject: "search", pullRequest: 34 }],
  ["PR number only at the end", "fix: see (#3) later", { subject: "see (#3) later", pullRequest: undefined }],
  ["footer note", "fix: x\n\nBREAKING CHANGE: y changed", { breaking: true, breakingNotes: ["y changed"] }],
  ["hyphen footer", "fix: x\n\nBREAKING-CHANGE: z", { breaking: true, breakingNotes: ["z"] }],
  ["bang plus footer: the footer text", "feat!: x\n\nBREAKING CHANGE: details", { breakingNotes: ["details"] }],
  ["note continues over lines", "feat: x\n\nBREAKING CHANGE: a\nb\n\nmore body", { breakingNotes: ["a b"] }],
  ["two notes", "feat: x\n\nBREAKING CHANGE: a\nBREAKING CHANGE: b", { breakingNotes: ["a", "b"] }],
  ["lower-case keyword is prose", "fix: x\n\nbreaking change: no", { breaking: false }],
  ["keyword mid-line is prose", "fix: x\n\nThis is not a BREAKING CHANGE: really", { breaking: false }],
  ["Closes", "fix: x\n\nCloses #12", { references: [12] }],
  ["Fixes and Refs", "fix: x\n\nFixes #1\nRefs: #2, #3", { references: [1, 2, 3] }],
  ["duplicate references", "fix: x\n\nCloses #5\nRefs #5", { references: [5] }],
  ["git revert", `Revert "feat: a"\n\nThis reverts commit ${"b".repeat(40)}.`, { type: "revert", subject: "feat: a", reverts: { header: "feat: a", sha: "b".repeat(40) } }],
  ["conventional revert", `revert: feat(x): a\n\nThis reverts commit abc1234.`, { type: "revert", subject: "feat(x): a", reverts: { header: "feat(x): a", sha: "abc1234" } }],
  ["revert without sha is a revert type only", "revert: feat: a", { type: "revert", reverts: undefined }],
  ["CRLF", "feat: a\r\n\r\nBREAKING CHANGE: b\r\n", { breakingNotes: ["b"] }],
  ["not conventional", "Update README", { type: undefined, subject: "Update README", breaking: false }],
  ["non-conventional with breaking footer", "Update\n\nBREAKING CHANGE: gone", { type: undefined, breaking: true }],
];

describe("parseConventionalCommit", () => {
  it.each(cases)("%s", (_name, message, expected) => {
    const parsed = parse(message);
    // Key by key, so that `undefined` means "absent" as well as "set to undefined".
    for (const [key, value] of Object.entries(expected)) expect(parsed[key as keyof ConventionalCommit], key).toEqual(value);
  });

  it("marks merges by their parents", () => {
    expect(parse("Merge branch 'x'", ["a", "b"]).isMerge).toBe(true);
  });
});
