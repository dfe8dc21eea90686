/** Table tests for expression evaluation against GitHub's documented behaviour. */

import { describe, expect, it } from "vitest";
import { SlipwayError } from "../../../src/core/errors";
import type { JsonValue } from "../../../src/core/json";
import {
  checkExpressionSyntax,
  evaluateCondition,
  evaluateExpression,
  evaluateTemplate,
  evaluateToString,
  type ExpressionContexts,
} from "../../../src/workflow/expressions";
import { Expression } from "../../../src/workflow/model";

const contexts: ExpressionContexts = {
  github: {
    ref: "refs/heads/main",
    event_name: "push",
    event: { commits: [{ message: "feat: a" }, { message: "fix: b" }], head_commit: { id: "abc" } },
  },
  env: { NAME: "slipway", EMPTY: "", ZERO: "0", NAN: Number.NaN },
  vars: { REGION: "eu" },
  matrix: { node: 20, os: "ubuntu-latest" },
  needs: {
    build: { result: "success", outputs: { version: "1.2.3", json: '{"a":[1,2]}' } },
    test: { result: "failure", outputs: {} },
  },
  inputs: { debug: true, count: 3 },
  steps: { s1: { outputs: { list: '["x","y"]' }, conclusion: "success" } },
};

const cases: [string, JsonValue][] = [
  ["github.ref", "refs/heads/main"],
  ["github['ref']", "refs/heads/main"],
  ["github.REF", "refs/heads/main"],
  ["github.nope", null],
  ["github.nope.deeper", null],
  ["secrets.TOKEN", null],
  ["github.event.commits[1].message", "fix: b"],
  ["github.event.commits[5]", null],
  ["github.event.commits.*.message", ["feat: a", "fix: b"]],
  ["needs.*.result", ["success", "failure"]],
  ["contains(needs.*.result, 'failure')", true],
  ["contains(needs.*.result, 'cancelled')", false],
  ["contains('Hello world', 'WORLD')", true],
  ["contains('Hello', 'x')", false],
  ["contains(fromJSON('[1,2,3]'), 2)", true],
  ["contains(fromJSON('[\"1\"]'), 1)", true],
  ["startsWith(github.ref, 'refs/heads/')", true],
  ["startsWith('Hello', 'he')", true],
  ["endsWith('release.yml', '.YML')", true],
  ["endsWith('a', 'b')", false],
  ["format('Hello {0} {1} {0}', 'A', 'B')", "Hello A B A"],
  ["format('{{0}} is {0}', 1)", "{0} is 1"],
  ["format('{{ {0} }}', 'x')", "{ x }"],
  ["format('{0}', 1.50)", "1.5"],
  ["join(fromJSON('[\"a\",\"b\"]'))", "a,b"],
  ["join(fromJSON('[\"a\",\"b\"]'), ' | ')", "a | b"],
  ["join('solo', '-')", "solo"],
  ["toJSON(matrix)", '{\n  "node": 20,\n  "os": "ubuntu-latest"\n}'],
  ["toJSON('x')", '"x"'],
  ["fromJSON('{\"a\":{\"b\":true}}').a.b", true],
  ["fromJSON(needs.build.outputs.json).a[1]", 2],
  ["fromJSON('3')", 3],
  ["fromJSON(steps.s1.outputs.list)", ["x", "y"]],
  ["'1' == 1", true],
  ["'' == 0", true],
  ["null == 0", true],
  ["true == 1", true],
  ["'abc' == 'ABC'", true],
  ["'abc' != 'abd'", true],
  ["'a' == 1", false],
  ["env.NAN == env.NAN", false],
  ["env.NAN > 0", false],
  ["1 < 2", true],
  ["'b' > 'A'", true],
  ["2 >= '2'", true],
  ["0x10", 16],
  ["1.5e3", 1500],
  ["-2.5", -2.5],
  ["'it''s'", "it's"],
  ["env.NAME || 'fallback'", "slipway"],
  ["env.EMPTY || 'fallback'", "fallback"],
  ["env.MISSING && 'x'", null],
  ["env.NAME && matrix.node", 20],
  ["!env.EMPTY", true],
  ["!env.ZERO", false],
  ["inputs.debug && 'on' || 'off'", "on"],
  ["github.event_name == 'push' && matrix.os", "ubuntu-latest"],
  ["vars.region", "eu"],
  ["success()", true],
  ["always()", true],
  ["failure()", false],
  ["cancelled()", false],
];

describe("evaluateExpression", () => {
  it.each(cases)("%s", (source, expected) => {
    expect(evaluateExpression(source, contexts)).toEqual(expected);
  });

  it("accepts a source wrapped in ${{ }}", () => {
    expect(evaluateExpression("${{ vars.REGION }}", contexts)).toBe("eu");
  });

  it("calls hashFiles with its patterns", () => {
    const seen: string[][] = [];
    const value = evaluateExpression("hashFiles('**/package-lock.json', 'x')", contexts, {
      hashFiles: (patterns) => {
        seen.push(patterns);
        return "deadbeef";
      },
    });
    expect(value).toBe("deadbeef");
    expect(seen).toEqual([["**/package-lock.json", "x"]]);
  });

  it("uses the status functions given", () => {
    const status = { success: () => false, failure: () => true, cancelled: () => false };
    expect(evaluateExpression("failure() && !success()", contexts, { status })).toBe(true);
  });
});

const errors: [string, RegExp][] = [
  ["github.ref ==", /Unexpected end of expression/],
  ["unknownctx.value", /Unrecognized named-value: 'unknownctx'/],
  ["nosuchfn(1)", /Unrecognized function: 'nosuchfn'/],
  ["contains('a')", /Too few parameters/],
  ["success(1)", /Too many parameters/],
  ["format('{0}')", /references more arguments/],
  ["format('{x}', 1)", /format string is invalid/],
  ["fromJSON('{bad')", /Error parsing JSON/],
  ["hashFiles('a')", /hashFiles\(\) is not available/],
  ["", /empty/],
];

describe("expression errors", () => {
  it.each(errors)("%s", (source, pattern) => {
    let caught: unknown;
    try {
      evaluateExpression(source, contexts);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SlipwayError);
    expect((caught as SlipwayError).code).toBe("EXPRESSION_INVALID");
    expect((caught as SlipwayError).message).toMatch(pattern);
  });

  it("names the file, line and column of a located Expression", () => {
    const expression = new Expression("format('{0', 1)", { file: ".github/workflows/ci.yml", line: 12, column: 14 });
    expect(() => evaluateTemplate(expression, contexts)).toThrow(/\$\{\{ format\('\{0', 1\) \}\} at \.github\/workflows\/ci\.yml:12:14/);
  });
});

const conditions: [string, boolean][] = [
  ["success() && github.ref == 'refs/heads/main'", true],
  ["success() && github.ref == 'refs/heads/dev'", false],
  ["env.ZERO", true],
  ["0", false],
  ["-0", false],
  ["''", false],
  ["null", false],
  ["env.NAN", false],
  ["fromJSON('[]')", true],
  ["fromJSON('{}')", true],
  ["'false'", true],
  ["${{ always() }}", true],
  ["failure()", false],
  ["!cancelled()", true],
];

describe("evaluateCondition", () => {
  const status = { success: () => true, failure: () => false, cancelled: () => false };
  it.each(conditions)("%s → %s", (source, expected) => {
    expect(evaluateCondition(source, contexts, { status })).toBe(expected);
  });

  it("asks the status functions at evaluation time", () => {
    const failed = { success: () => false, failure: () => true, cancelled: () => false };
    expect(evaluateCondition("success() && true", contexts, { status: failed })).toBe(false);
    expect(evaluateCondition("failure() && needs.test.result == 'failure'", contexts, { status: failed })).toBe(true);
    expect(evaluateCondition("always()", contexts, { status: failed })).toBe(true);
  });
});

const toStrings: [string, JsonValue, string][] = [
  ["null", null, ""],
  ["true", true, "true"],
  ["false", false, "false"],
  ["integer", 42, "42"],
  ["decimal", 1.5, "1.5"],
  ["float noise", 0.1 + 0.2, "0.3"],
  ["negative zero", -0, "0"],
  ["string", "x", "x"],
  ["array", [1, "a"], '[\n  1,\n  "a"\n]'],
  ["object", { a: 1 }, '{\n  "a": 1\n}'],
];

describe("evaluateToString", () => {
  it.each(toStrings)("%s", (_name, value, expected) => {
    expect(evaluateToString(value, contexts)).toBe(expected);
  });

  it("coerces an evaluated Expression", () => {
    expect(evaluateToString(new Expression("format('node {0} on {1}', matrix.node, matrix.os)"), contexts)).toBe(
      "node 20 on ubuntu-latest",
    );
    expect(evaluateToString(new Expression("inputs.debug"), contexts)).toBe("true");
    expect(evaluateToString(new Expression("env.MISSING"), contexts)).toBe("");
  });
});

describe("evaluateTemplate", () => {
  it("evaluates expressions deep inside maps and lists and leaves plain values alone", () => {
    const template = {
      plain: "x",
      count: 1,
      flag: false,
      none: null,
      version: new Expression("needs.build.outputs.version"),
      list: [new Expression("matrix.node"), "y", { inner: new Expression("fromJSON('{\"k\":1}')") }],
    };
    expect(evaluateTemplate(template, contexts)).toEqual({
      plain: "x",
      count: 1,
      flag: false,
      none: null,
      version: "1.2.3",
      list: [20, "y", { inner: { k: 1 } }],
    });
  });
});

describe("checkExpressionSyntax", () => {
  it.each([
    ["github.ref == 'x'", undefined],
    ["success() || failure()", undefined],
    ["hashFiles('a', 'b')", undefined],
    ["needs.*.result", undefined],
  ])("%s is valid", (source, expected) => {
    expect(checkExpressionSyntax(source)).toBe(expected);
  });

  it.each([["github.ref =="], ["foo.bar"], ["toJSON()"], ["'unterminated"], ["a b"]])("%s is reported", (source) => {
    expect(checkExpressionSyntax(source)).toEqual(expect.any(String));
  });
});
