/** `hashFiles(patterns…)`: one SHA-256 over the SHA-256 of every matching workspace file, as GitHub's runner. */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { matchPatternList } from "../triggers/filter-pattern";

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".git") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, full, out);
    else if (entry.isFile()) out.push(relative(root, full));
  }
  return out;
}

export function hashFiles(workspace: string, patterns: string[]): string {
  const normalised = patterns.map((p) => p.replace(/^\.\//, "").replace(/^!\.\//, "!"));
  const matches = listFiles(workspace).filter((file) => matchPatternList(file, normalised)).sort();
  if (matches.length === 0) return "";
  const total = createHash("sha256");
  for (const file of matches) total.update(createHash("sha256").update(readFileSync(join(workspace, file))).digest());
  return total.digest("hex");
}
