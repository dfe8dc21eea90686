/** Table tests for the dry-run plan: trigger decision, static conditions, needs propagation and matrices. */

import { describe, expect, it } from "vitest";
import type { ExpressionContexts } from "../../../src/workflow/expressions";
import { Expression, type JobDefinition } from "../../../src/workflow/model";
import { planRun, type PlannedJob } from "../../../src/workflow/plan";
import { job, pushEvent, workflowWith } from "../triggers/fixtures";

const contexts: ExpressionContexts = {
  github: { ref: "refs/heads/main", event_name: "push" },
  inputs: { targets: '["a","b"]' },
  vars: { DEPLOY: "true" },
  env: {},
};

function plan(jobs: JobDefinition[], branches = ["main"]): Map<string, PlannedJob> {
  const result = planRun(workflowWith({ push: { branches } }, jobs), pushEvent("refs/heads/main"), contexts);
  return new Map(result.jobs.map((planned) => [planned.id, planned]));
}

const decisions: [string, JobDefinition[], string, PlannedJob["willRun"], string][] = [
  ["plain job", [job("build")], "build", "yes", "the condition holds"],
  ["ref condition true", [job("d", { if: "success() && (github.ref == 'refs/heads/main')" })], "d", "yes", "holds"],
  ["ref condition false", [job("d", { if: "success() && (github.ref == 'refs/heads/dev')" })], "d", "no", "the condition is false"],
  ["vars condition", [job("d", { if: "success() && (vars.DEPLOY == 'true')" })], "d", "yes", "holds"],
  ["needs context", [job("a"), job("b", { needs: ["a"], if: "success() && (needs.a.outputs.x == '1')" })], "b", "depends", "uses the needs context"],
  ["failure()", [job("a"), job("b", { needs: ["a"], if: "failure()" })], "b", "depends", "uses failure()"],
  ["cancelled()", [job("a"), job("b", { needs: ["a"], if: "!cancelled()" })], "b", "depends", "uses cancelled()"],
  [
    "skipped need skips dependents",
    [job("a", { if: "success() && (github.ref == 'refs/heads/dev')" }), job("b", { needs: ["a"] })],
    "b",
    "no",
    "needs a, which is skipped",
  ],
  [
    "always() runs despite a skipped need",
    [job("a", { if: "success() && false" }), job("b", { needs: ["a"], if: "always()" })],
    "b",
    "yes",
    "even though a is skipped",
  ],
  [
    "uncertain need makes success() uncertain",
    [job("a"), job("b", { needs: ["a"], if: "failure()" }), job("c", { needs: ["b"] })],
    "c",
    "depends",
    "depends on whether b runs",
  ],
  [
    "uncertain need, always()",
    [job("a"), job("b", { needs: ["a"], if: "failure()" }), job("c", { needs: ["b"], if: "always()" })],
    "c",
    "yes",
    "holds",
  ],
  [
    "uncertain need, false anyway",
    [job("a"), job("b", { needs: ["a"], if: "failure()" }), job("c", { needs: ["b"], if: "success() && (github.ref == 'x')" })],
    "c",
    "no",
    "the condition is false",
  ],
  ["unknown need", [job("b", { needs: ["ghost"] })], "b", "no", "needs ghost, which is not a job"],
];

describe("planRun decisions", () => {
  it.each(decisions)("%s", (_name, jobs, id, willRun, reason) => {
    const planned = plan(jobs).get(id);
    expect(planned?.willRun).toBe(willRun);
    expect(planned?.reason).toContain(reason);
  });
});

describe("planRun", () => {
  it("reports an untriggered workflow with every job not running", () => {
    const result = planRun(workflowWith({ push: { branches: ["main"] } }, [job("a")]), pushEvent("refs/heads/feature/x"), contexts);
    expect(result.triggered).toBe(false);
    expect(result.reason).toBe("push to refs/heads/feature/x: branch does not match [main]");
    expect(result.jobs).toEqual([{ id: "a", needs: [], condition: "success()", willRun: "no", reason: "the workflow is not triggered" }]);
  });

  it("lists jobs in dependency order with their needs and conditions", () => {
    const result = planRun(
      workflowWith({ push: {} }, [job("deploy", { needs: ["build"] }), job("build")]),
      pushEvent("refs/heads/main"),
      contexts,
    );
    expect(result.triggered).toBe(true);
    expect(result.jobs.map((planned) => [planned.id, planned.needs, planned.condition])).toEqual([
      ["build", [], "success()"],
      ["deploy", ["build"], "success()"],
    ]);
  });

  it("expands static matrices, including ones computed from inputs", () => {
    const planned = plan([
      job("a", { strategy: { matrix: { node: [18, 20] }, failFast: true } }),
      job("b", { strategy: { matrix: { target: new Expression("fromJSON(inputs.targets)") }, failFast: true } }),
      job("c", { strategy: { matrix: new Expression("fromJSON(needs.a.outputs.m)"), failFast: true }, needs: ["a"] }),
      job("d"),
    ]);
    expect(planned.get("a")?.matrix).toEqual([{ node: 18 }, { node: 20 }]);
    expect(planned.get("b")?.matrix).toEqual([{ target: "a" }, { target: "b" }]);
    expect(planned.get("c")?.matrix).toBe("dynamic");
    expect(planned.get("d")).not.toHaveProperty("matrix");
  });

  it("names the job when its matrix is invalid", () => {
    expect(() => plan([job("wide", { strategy: { matrix: { os: "linux" }, failFast: true } })])).toThrow(
      /job "wide": strategy.matrix: axis "os" must be a list/,
    );
  });

  it("refuses a needs cycle", () => {
    expect(() => plan([job("a", { needs: ["b"] }), job("b", { needs: ["a"] })])).toThrow(/cycle: a → b → a/);
  });
});
