// Runs a service's tests with Node's built-in coverage and fails when its source line coverage is below the gate.
// Usage: node scripts/coverage-gate.mjs services/auth [services/web …] [--min 80]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Rows of the coverage table that node --test --experimental-test-coverage prints: { file, line } for each file. */
export function parseCoverage(output) {
  const rows = [];
  for (const raw of output.split("\n")) {
    const match = /^[#ℹ]\s+(\S+)\s+\|\s+([\d.]+)\s+\|\s+([\d.]+)\s+\|\s+([\d.]+)\s+\|/.exec(raw);
    if (match && match[1] !== "file") rows.push({ file: match[1], line: Number(match[2]), branch: Number(match[3]), funcs: Number(match[4]) });
  }
  return rows;
}

/** Line coverage of the source files (tests excluded), weighted by each file's length. */
export function sourceCoverage(rows, linesOf) {
  const sources = rows.filter((row) => row.file !== "all" && !/(^|\/)test\//.test(row.file) && !/\.test\.m?js$/.test(row.file));
  let total = 0;
  let covered = 0;
  for (const row of sources) {
    const lines = linesOf(row.file);
    total += lines;
    covered += (row.line / 100) * lines;
  }
  return { files: sources.length, percent: total === 0 ? 0 : (covered / total) * 100 };
}

export function gate(serviceDir, min) {
  const run = spawnSync(process.execPath, ["--test", "--experimental-test-coverage", "test/"], { cwd: serviceDir, encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) return { ok: false, message: `${serviceDir}: tests failed\n${output}` };
  const coverage = sourceCoverage(parseCoverage(output), (file) => readFileSync(join(serviceDir, file), "utf8").split("\n").length);
  if (coverage.files === 0) return { ok: false, message: `${serviceDir}: no coverage report (no source files tested?)` };
  const summary = `${serviceDir}: line coverage ${coverage.percent.toFixed(1)} % of ${coverage.files} source files (gate ${min} %)`;
  return { ok: coverage.percent >= min, message: coverage.percent >= min ? `${summary} ✓` : `${summary} ✗ below the gate`, percent: coverage.percent };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--min");
  const min = at >= 0 ? Number(args.splice(at, 2)[1]) : 80;
  if (args.length === 0 || !Number.isFinite(min)) {
    console.error("usage: coverage-gate.mjs SERVICE_DIR… [--min PERCENT]");
    process.exit(2);
  }
  let failed = false;
  for (const dir of args) {
    const result = gate(dir, min);
    console.log(result.message);
    failed ||= !result.ok;
  }
  process.exit(failed ? 1 : 0);
}
