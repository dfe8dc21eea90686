/** The `--demo` part of `slipway up`: picks the ingress ports before the server starts, brings the demo up after, and prints what to open and try. */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { apiClient } from "../cli/api-client";
import { printJson } from "../cli/output";
import type { RunningServer } from "../server/up";
import type { DemoRuntime } from "./demo-config";
import { assertSameRuntime, chooseIngressPorts, bringUpDemo, type DemoSummary } from "./demo-up";

/** Refuses, before the server starts anything, a data directory whose demo was made on another runtime. */
export const checkDemoRuntime = assertSameRuntime;

/** dev 8080, staging 8081, prod 8082 unless --ingress-port says otherwise; a taken port is replaced by a free one (said on stderr). */
export async function demoIngressPorts(requested: Record<string, number>, log: (line: string) => void): Promise<Record<string, number>> {
  const { ports, moved } = await chooseIngressPorts(requested);
  for (const line of moved) log(`demo: ingress port for ${line}`);
  return { ...requested, ...ports };
}

export async function runDemo(server: RunningServer, dataDir: string, json: boolean, runtime: DemoRuntime = "local"): Promise<DemoSummary> {
  const adminToken = (await readFile(join(dataDir, "admin.token"), "utf8")).trim();
  const progress = (line: string): void => void process.stderr.write(`${line}\n`);
  const summary = await bringUpDemo({ url: server.url, admin: apiClient(server.url, adminToken), dataDir, progress, runtime });
  if (json) printJson(summary);
  else process.stderr.write(renderSummary(summary));
  return summary;
}

export function renderSummary(summary: DemoSummary): string {
  const total = summary.stages.reduce((sum, stage) => sum + stage.ms, 0);
  const lines = [
    "",
    `The slipway demo is up (${(total / 1000).toFixed(1)} s).`,
    "",
    `  dashboard   ${summary.dashboard}`,
    ...Object.entries(summary.environments).map(([env, url]) => `  ${env.padEnd(11)} ${url ?? "(no ingress yet)"}   ${Object.entries(summary.versions[env] ?? {}).map(([service, version]) => `${service} ${version}`).join(", ")}`),
    "",
    "  users (tokens are files, mode 0600):",
    ...summary.users.map((user) => `    ${user.name.padEnd(9)} ${user.tokenPath}   ${user.role}`),
    "",
    "  repositories:",
    ...summary.repositories.map((repo) => `    ${repo.name.padEnd(17)} ${repo.clone}   working copy: ${repo.workingCopy}`),
    "",
    "  next steps:",
    ...summary.nextSteps.map((step) => `    ${step}`),
    "",
    "Ctrl-C stops the server and every service it runs; `slipway up --demo` again reuses all of it.",
    "",
  ];
  return `${lines.join("\n")}\n`;
}
