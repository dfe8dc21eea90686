/** `slipway env sleep|wake ENV [--for 2h]`, `env schedule ENV ["Mon-Fri 08:00-19:00 Europe/Berlin"] [--exclude app]`, `env savings`: cost-saving schedules on the server. */

import type { Command } from "commander";
import type { EnvironmentPower } from "../../server/services/schedules";
import { SlipwayError } from "../../core/errors";
import { parseDuration } from "../../insight/duration";
import { requireServer } from "../api-client";
import { action, printJson } from "../output";
import { renderTable } from "../render/style";

type PowerFlags = { for?: string; json?: boolean };
type ScheduleFlags = { exclude?: string[]; clear?: boolean; json?: boolean };
type SavingsFlags = { env?: string; since: string; json?: boolean };

const time = (ms: number | null | undefined): string => (ms === null || ms === undefined ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

function describe(power: EnvironmentPower): string {
  const lines = [`${power.environment}: ${power.state}${power.decision.reason === "override" ? " (by hand)" : power.decision.reason === "schedule" ? " (schedule)" : ""}`];
  lines.push(`  uptime: ${power.uptime ?? "always (no schedule)"}`);
  if (power.exclusions.length > 0) lines.push(`  never sleeps: ${power.exclusions.join(", ")}`);
  if (power.override && power.decision.reason === "override") lines.push(`  ${power.override.state} until ${power.override.until === null ? "woken or slept by hand" : time(power.override.until)}`);
  if (power.decision.until !== undefined) lines.push(`  next change: ${time(power.decision.until)}`);
  if (power.sleepingReplicas) lines.push(`  replicas to restore: ${Object.entries(power.sleepingReplicas).map(([name, count]) => `${name}=${count}`).join(", ") || "none"}`);
  lines.push(`  replica-hours saved: ${power.replicaHoursSaved.last7d} (7 days), ${power.replicaHoursSaved.last30d} (30 days)`);
  return `${lines.join("\n")}\n`;
}

async function setPower(verb: "sleep" | "wake", environment: string, flags: PowerFlags): Promise<number> {
  if (flags.for !== undefined && parseDuration(flags.for) === undefined) throw new SlipwayError("USAGE", `--for expects a duration like 2h, 30m or 1d, not '${flags.for}'.`);
  const power = await requireServer().request<EnvironmentPower>("POST", `/environments/${encodeURIComponent(environment)}/${verb}`, flags.for ? { for: flags.for } : {});
  if (flags.json) printJson(power);
  else process.stdout.write(describe(power));
  return 0;
}

async function schedule(environment: string, uptime: string | undefined, flags: ScheduleFlags): Promise<number> {
  const server = requireServer();
  const path = `/environments/${encodeURIComponent(environment)}/schedule`;
  const power = uptime === undefined && !flags.clear && flags.exclude === undefined
    ? await server.request<EnvironmentPower>("GET", path)
    : await server.request<EnvironmentPower>("PUT", path, { uptime: flags.clear ? null : (uptime ?? (await server.request<EnvironmentPower>("GET", path)).uptime), ...(flags.exclude ? { exclusions: flags.exclude } : {}) });
  if (flags.json) printJson(power);
  else process.stdout.write(describe(power));
  return 0;
}

async function savings(flags: SavingsFlags): Promise<number> {
  const server = requireServer();
  const query = new URLSearchParams({ since: flags.since, ...(flags.env ? { env: flags.env } : {}) });
  const total = await server.request<{ environment: string | null; since: string; until: string; replicaHours: number }>("GET", `/metrics/savings?${query}`);
  const environments = await server.request<EnvironmentPower[]>("GET", "/schedules");
  if (flags.json) {
    printJson({ ...total, environments });
    return 0;
  }
  process.stdout.write(`${total.replicaHours} replica-hours saved${flags.env ? ` in ${flags.env}` : ""} since ${total.since}\n`);
  const rows = environments.filter((env) => !flags.env || env.environment === flags.env)
    .map((env) => [env.environment, env.state, env.uptime ?? "-", String(env.replicaHoursSaved.last7d), String(env.replicaHoursSaved.last30d)]);
  if (rows.length > 0) process.stdout.write(`${renderTable(["ENV", "STATE", "UPTIME", "SAVED 7D", "SAVED 30D"], rows)}\n`);
  return 0;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), ...value.split(",").map((s) => s.trim()).filter(Boolean)];

/** Adds sleep, wake, schedule and savings to the `env` command. */
export function registerEnvScheduleCommands(env: Command): void {
  for (const verb of ["sleep", "wake"] as const) {
    env
      .command(verb)
      .description(verb === "sleep"
        ? "scale the environment's Deployments to 0 now (self-heal keeps them there), until --for ends or its uptime next begins"
        : "bring the environment's Deployments back to git's replicas now, until --for ends or its uptime next ends")
      .argument("<env>", "the environment (namespace), e.g. dev")
      .option("--for <duration>", "only for this long, e.g. 2h, 30m")
      .option("--json", "print the environment's schedule state as JSON")
      .action(action((environment: string, flags: PowerFlags) => setPower(verb, environment, flags)));
  }
  env
    .command("schedule")
    .description("show or set when an environment runs: outside its uptime its Deployments scale to 0")
    .argument("<env>", "the environment (namespace)")
    .argument("[uptime]", 'e.g. "Mon-Fri 08:00-19:00 Europe/Berlin" (several separated by commas), "always" or "never"')
    .option("--exclude <apps>", "Applications that never sleep (comma-separated, repeatable)", collect)
    .option("--clear", "remove the schedule: always up")
    .option("--json", "print the schedule state as JSON")
    .action(action(schedule));
  env
    .command("savings")
    .description("replica-hours saved by sleeping environments")
    .option("--env <env>", "one environment")
    .option("--since <duration>", "the period, e.g. 30d, 2w", "30d")
    .option("--json", "print the figures as JSON")
    .action(action(savings));
}
