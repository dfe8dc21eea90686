import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCoverage, sourceCoverage } from "../coverage-gate.mjs";
import { lint, textProblems } from "../lint.mjs";
import { dependencyFindings, scan, secretFindings } from "../scan.mjs";
import { notification } from "../notify.mjs";
import { releasedServices } from "../release-matrix.mjs";

// Fake credentials are assembled at run time so that the scan of this repository never finds them here.
const fakeKeyHeader = ["-----BEGIN", "RSA PRIVATE KEY-----"].join(" ");
const fakeAwsKey = `AKIA${"Q".repeat(16)}`;

test("coverage: parses the table and weighs source files by length, tests excluded", () => {
  const rows = parseCoverage(["# file | line % | branch % | funcs % | uncovered lines", "# src/a.js |  50.00 | 100.00 | 100.00 | 3-4", "# src/b.js | 100.00 | 100.00 | 100.00 | ", "# test/a.test.js | 100.00 | 100.00 | 100.00 | ", "# all files | 80.00 | 90.00 | 90.00 |"].join("\n"));
  assert.equal(rows.length, 3);
  const coverage = sourceCoverage(rows, (file) => (file === "src/a.js" ? 10 : 30));
  assert.equal(coverage.files, 2);
  assert.equal(coverage.percent, 87.5);
  assert.equal(sourceCoverage([], () => 1).percent, 0);
});

test("lint: finds whitespace, debugger, conflict markers and syntax errors", () => {
  assert.deepEqual(textProblems("ok\nbad \n  debugger;\n<<<<<<< HEAD").map((p) => p.line), [2, 3, 4]);
  const dir = mkdtempSync(join(tmpdir(), "shop-lint-"));
  writeFileSync(join(dir, "package.json"), '{"type":"module"}');
  writeFileSync(join(dir, "good.js"), "export const a = 1;\n");
  writeFileSync(join(dir, "broken.js"), "export const = ;\n");
  const problems = lint(dir);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^broken\.js: does not parse/);
});

test("scan: flags private keys, AWS keys and registry-bypassing or malicious dependencies", () => {
  assert.deepEqual(secretFindings(`a\n${fakeKeyHeader}\nkey=${fakeAwsKey}`).map((f) => f.line), [2, 3]);
  assert.deepEqual(secretFindings("nothing to see"), []);
  assert.equal(dependencyFindings({ dependencies: { left: "git+https://example.com/x.git", ok: "^1.0.0" }, devDependencies: { "event-stream": "3.3.6" } }).length, 2);
  const dir = mkdtempSync(join(tmpdir(), "shop-scan-"));
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "svc", "id_rsa"), `${fakeKeyHeader}\nMIIB\n`);
  writeFileSync(join(dir, "svc", "package.json"), JSON.stringify({ dependencies: { "flatmap-stream": "0.1.1" } }));
  const result = scan(dir);
  assert.equal(result.files, 2);
  assert.deepEqual(result.findings.map((f) => f.split(":")[0]).sort(), ["svc/id_rsa", "svc/package.json"]);
});

test("notify and release-matrix", () => {
  assert.equal(notification("success", "v1.1.0 in staging", { GITHUB_REPOSITORY: "demo/shop", GITHUB_RUN_ID: "7" }), "✅ v1.1.0 in staging (demo/shop run 7)");
  assert.equal(notification("failure", "x", {}), "❌ x");
  assert.deepEqual(releasedServices('[{"service":"auth","version":"1.1.0","released":true},{"service":"web","version":null,"released":false}]'), [{ service: "auth", version: "1.1.0" }]);
  assert.deepEqual(releasedServices(""), []);
  assert.throws(() => releasedServices("{}"), /JSON list/);
});
