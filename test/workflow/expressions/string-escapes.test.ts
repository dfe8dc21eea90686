import { describe, expect, it } from "vitest";
import { evaluateExpression } from "../../../src/workflow/expressions";

// @actions/expressions 0.3.61 unescaped only the first '' in a string literal; the parser's
// format() rewriting of `run: node -e "import('./x')" ${{ … }}` depends on every one being unescaped.
describe("string literal escapes", () => {
  it.each([
    ["'it''s'", "it's"],
    ["'a ''b'' c'", "a 'b' c"],
    ["format('x(''{0}'', ''{1}'')', 1, 2)", "x('1', '2')"],
    ["''''''", "''"],
  ])("%s → %s", (source, expected) => {
    expect(evaluateExpression(source, {})).toBe(expected);
  });
});
