/** `slipway metrics dora [--env prod] [--since 30d] [--json]`: DORA's four keys for an environment, from the server's event log. */

import type { Command } from "commander";
import { SlipwayError } from "../../core/errors";
import type { DoraBand, DoraReport } from "../../insight/dora";
import { formatDuration, parseDuration } from "../../insight/duration";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { renderTable, styleFor } from "../render/style";

type DoraFlags = { env: string; since: string; json?: boolean };

function bandLabel(band: DoraBand | null): string {
  return band ?? "no data";
}

function frequencyText(report: DoraReport): string {
  const f = report.deploymentFrequency;
  const perDay = f.value ?? 0;
  if (perDay >= 1) return `${perDay.toFixed(1)}/day (${f.deployments} in ${Math.round(f.days)}d)`;
  return `${(f.perWeek ?? 0).toFixed(2)}/week (${f.deployments} in ${Math.round(f.days)}d)`;
}

export function renderDora(report: DoraReport): string {
  const style = styleFor(process.stdout);
  const rows = [
    ["deployment frequency", frequencyText(report), bandLabel(report.deploymentFrequency.band)],
    ["lead time for changes", report.leadTime.value === null ? "-" : `${formatDuration(report.leadTime.value)} (median of ${report.leadTime.samples})`, bandLabel(report.leadTime.band)],
    ["change failure rate", report.changeFailureRate.value === null ? "-" : `${(report.changeFailureRate.value * 100).toFixed(1)}% (${report.changeFailureRate.failed}/${report.changeFailureRate.deployments})`, bandLabel(report.changeFailureRate.band)],
    ["time to restore", report.timeToRestore.value === null ? "-" : `${formatDuration(report.timeToRestore.value)} (median of ${report.timeToRestore.incidents})`, bandLabel(report.timeToRestore.band)],
  ];
  return `${style.bold(`DORA metrics for ${report.environment}`)} from ${report.since} to ${report.until}\n${renderTable(["METRIC", "VALUE", "BAND"], rows)}\n`;
}

async function dora(flags: DoraFlags): Promise<number> {
  if (parseDuration(flags.since) === undefined) throw new SlipwayError("USAGE", `--since expects a duration like 30d, 2w or 12h, not '${flags.since}'.`);
  const query = new URLSearchParams({ env: flags.env, since: flags.since });
  const report = await requireServer().request<DoraReport>("GET", `/metrics/dora?${query}`);
  if (flags.json) printJson(report);
  else process.stdout.write(renderDora(report));
  return 0;
}

export function registerMetricsCommand(program: Command): void {
  const metrics = program.command("metrics").description("delivery metrics from the server (SLIPWAY_URL)");
  metrics
    .command("dora")
    .description("deployment frequency, lead time for changes, change failure rate and time to restore, each with its DORA band")
    .option("--env <env>", "the environment", "prod")
    .option("--since <duration>", "the period, e.g. 30d, 2w, 12h", "30d")
    .option("--json", "print the report as JSON")
    .action(action(dora));
}
