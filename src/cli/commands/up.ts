/** `slipway up`: start the server (API, git hosting, runs) on one data directory. */

import type { Command } from "commander";
import { resolve } from "node:path";
import { SlipwayError } from "../../core/errors";
import { startServer } from "../../server/up";
import { action } from "../output";

interface UpFlags {
  data: string;
  port: string;
  host: string;
  database?: string;
  maxParallel?: string;
  ingressPort: string[];
  demo?: boolean;
  json?: boolean;
  runtime: string;
}

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description("start the slipway server: API, dashboard, git, OCI registry, workflow runs and delivery, all state in one directory (--demo: the demo shop)")
    .option("--data <dir>", "the data directory", process.env.SLIPWAY_DATA ?? ".slipway-data")
    .option("--port <port>", "the port to listen on (0: any free port)", "7700")
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--database <url>", "a PostgreSQL URL instead of the embedded SQLite (postgres://…)")
    .option("--max-parallel <n>", "jobs run at once across all runs (default: the CPU count)")
    .option("--ingress-port <env=port>", "the ingress entry point of an environment, e.g. dev=8080 (repeatable)", (v: string, p: string[] = []) => [...p, v], [])
    .option("--runtime <name>", "the runtime of Applications that name none (only destination.server): local (processes) or docker (containers on Docker Engine)", "local")
    .option("--demo", "set up the demo shop (users, repositories, base image, first release into dev) and print its URLs; idempotent")
    .option("--json", "with --demo: print the demo's summary as JSON on stdout")
    .action(action(up));
}

async function up(flags: UpFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SlipwayError("USAGE", `--port expects a port number, got '${flags.port}'.`);
  if (flags.database && !/^postgres(ql)?:\/\//.test(flags.database)) throw new SlipwayError("USAGE", "--database expects a postgres:// URL.");
  if (flags.runtime !== "local" && flags.runtime !== "docker") throw new SlipwayError("USAGE", `--runtime expects local or docker, got '${flags.runtime}'.`);
  const demo = flags.demo ? await import("../../demo/demo-command") : undefined;
  const ingressPorts = parseIngressPorts(flags.ingressPort);
  if (demo) await demo.checkDemoRuntime(resolve(flags.data), flags.runtime);
  const server = await startServer({
    dataDir: resolve(flags.data),
    host: flags.host,
    port,
    store: flags.database ? { dialect: "postgres", connectionString: flags.database } : undefined,
    maxParallelJobs: flags.maxParallel ? Number(flags.maxParallel) : undefined,
    delivery: { defaultRuntime: flags.runtime, ingressPorts: demo ? await demo.demoIngressPorts(ingressPorts, (line) => process.stderr.write(`${line}\n`)) : ingressPorts },
  });
  process.stderr.write(`slipway is up at ${server.url}\n`);
  process.stderr.write(`  data:  ${resolve(flags.data)}\n`);
  if (server.adminTokenPath) process.stderr.write(`  admin token written to ${server.adminTokenPath} (mode 0600)\n`);
  process.stderr.write(`  use it: export SLIPWAY_URL=${server.url} SLIPWAY_TOKEN=$(cat ${resolve(flags.data)}/admin.token)\n`);
  const stopped = new Promise<void>((resolveStop) => {
    const stop = (signal: string): void => {
      process.stderr.write(`\n${signal}: shutting down (cancelling running runs)…\n`);
      void server.close().then(resolveStop);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  // The demo's setup runs while the signals already stop the server (and every replica it started).
  if (demo) await Promise.race([demo.runDemo(server, resolve(flags.data), flags.json === true, flags.runtime), stopped]).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  await stopped;
  return 0;
}

function parseIngressPorts(values: string[]): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const value of values) {
    const match = value.match(/^([a-z0-9][a-z0-9-]*)=(\d{1,5})$/);
    const port = match ? Number(match[2]) : NaN;
    if (!match || port < 1 || port > 65535) throw new SlipwayError("USAGE", `--ingress-port expects ENV=PORT (e.g. dev=8080), got '${value}'.`);
    if (Object.hasOwn(ports, match[1]!)) throw new SlipwayError("USAGE", `--ingress-port ${value}: ${match[1]} is given twice (${match[1]}=${ports[match[1]!]} before); give each environment one port.`);
    const taken = Object.keys(ports).find((env) => ports[env] === port);
    if (taken !== undefined) throw new SlipwayError("USAGE", `--ingress-port ${value}: port ${port} is already the ingress of ${taken}; give each environment its own port.`);
    ports[match[1]!] = port;
  }
  return ports;
}
