/** Multi-line scalars with `${{ }}` evaluate to their YAML value, not their indented source (GitHub's parser keeps the source). */

import { describe, expect, it } from "vitest";
import { evaluateToString } from "../../../src/workflow/expressions";
import { Expression } from "../../../src/workflow/model";
import { parseWorkflowFile } from "../../../src/workflow/parse";
import { formatExpressionFor } from "../../../src/workflow/parse/multiline-expression";

async function firstRun(run: string): Promise<string> {
  const content = `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ${run}\n`;
  const parsed = await parseWorkflowFile("ci.yml", content);
  const value = parsed.workflow?.jobs[0]?.steps[0]?.run;
  if (!(value instanceof Expression)) throw new Error(`expected an expression, got ${JSON.stringify(value)}`);
  return evaluateToString(value, { github: { sha: "abc", ref_name: "main" } });
}

describe("multi-line run scripts with expressions", () => {
  it("a literal block keeps lines without the YAML indentation", async () => {
    expect(await firstRun("|\n          cat <<EOF\n          ${{ github.sha }}\n          EOF\n")).toBe("cat <<EOF\nabc\nEOF\n");
  });

  it("a stripped block has no final newline", async () => {
    expect(await firstRun("|-\n          echo ${{ github.sha }}\n")).toBe("echo abc");
  });

  it("a folded block joins lines with spaces", async () => {
    expect(await firstRun(">\n          echo ${{ github.sha }}\n          ${{ github.ref_name }}\n")).toBe("echo abc main\n");
  });

  it("a quoted multi-line string loses its quotes and folds", async () => {
    expect(await firstRun(`"echo '\${{ github.sha }}'\n          next"`)).toBe("echo 'abc' next");
  });

  it("single-line values are left to GitHub's parser", async () => {
    expect(await firstRun("echo ${{ github.sha }}-{x}")).toBe("echo abc-{x}");
  });

  it("escapes quotes and braces of the literal text", () => {
    expect(formatExpressionFor("it's {x} ${{ a }}")).toBe("format('it''s {{x}} {0}', a)");
    expect(formatExpressionFor("no expressions")).toBeUndefined();
  });
});
