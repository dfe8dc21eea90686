// Lints the shop without any package: every .js/.mjs file must parse as a module, and no file may keep
// a `debugger` statement, trailing whitespace or a merge conflict marker. Prints file:line: problem.
// With node --experimental-vm-modules the files are parsed in this process (fast); else with one node --check each.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const skipped = new Set([".git", "node_modules", "coverage"]);

export function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.m?js$/.test(entry.name)) files.push(path);
    }
  };
  walk(root);
  return files.sort();
}

/** Problems in one file's text, as { line, message }. */
export function textProblems(text) {
  const problems = [];
  text.split("\n").forEach((line, index) => {
    if (/[ \t]+$/.test(line)) problems.push({ line: index + 1, message: "trailing whitespace" });
    if (/^\s*debugger\s*;?\s*$/.test(line)) problems.push({ line: index + 1, message: "a debugger statement" });
    if (/^(<{7}|>{7}|={7})( |$)/.test(line)) problems.push({ line: index + 1, message: "a merge conflict marker" });
  });
  return problems;
}

/** Why `text` does not parse as an ES module, or undefined when it does. */
export function syntaxError(file, text) {
  if (typeof vm.SourceTextModule === "function") {
    try {
      new vm.SourceTextModule(text, { identifier: file });
      return undefined;
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  }
  const check = spawnSync(process.execPath, ["--check", file], { encoding: "utf8" });
  return check.status === 0 ? undefined : check.stderr.trim();
}

export function lint(root) {
  const problems = [];
  for (const file of sourceFiles(root)) {
    const name = relative(root, file);
    const text = readFileSync(file, "utf8");
    for (const problem of textProblems(text)) problems.push(`${name}:${problem.line}: ${problem.message}`);
    const error = syntaxError(file, text);
    if (error) problems.push(`${name}: does not parse\n${error}`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? process.cwd();
  const problems = lint(root);
  for (const problem of problems) console.log(problem);
  console.log(problems.length === 0 ? `lint: ${sourceFiles(root).length} files clean` : `lint: ${problems.length} problem(s)`);
  process.exit(problems.length === 0 ? 0 : 1);
}
