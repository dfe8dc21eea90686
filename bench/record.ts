/** Appends a benchmark's figures, with the machine and the date, to bench/RESULTS.md. */

import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";

export function machineDescription(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export function recordResults(bench: string, figures: string[][]): void {
  const file = join(process.cwd(), "bench", "RESULTS.md");
  if (!existsSync(file)) writeFileSync(file, "# Benchmark results\n\nEvery run of a benchmark with `--record` appends its figures here.\n");
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const rows = figures.map(([name, value]) => `| ${name} | ${value} |`).join("\n");
  appendFileSync(file, `\n## ${bench} — ${date} UTC\n\nMachine: ${machineDescription()}\n\n| figure | value |\n| --- | --- |\n${rows}\n`);
  console.log(`recorded in ${file}`);
}
