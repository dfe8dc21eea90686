/** The `slipway` command: parses flags and hands each command to its domain. */

import { Command } from "commander";

declare const SLIPWAY_VERSION: string;

type Register = (program: Command) => void;

/**
 * Commands load on demand: `slipway run` reads only the code `run` needs, so a git hook or a quick
 * `slipway runs` starts fast. Help and unknown commands load them all.
 */
const commands: Record<string, () => Promise<Register>> = {
  up: () => import("./commands/up").then((m) => m.registerUpCommand),
  run: () => import("./commands/run").then((m) => m.registerRunCommand),
  runs: () => import("./commands/runs").then((m) => m.registerRunsCommand),
  logs: () => import("./commands/logs").then((m) => m.registerLogsCommand),
  lint: () => import("./commands/lint").then((m) => m.registerLintCommand),
  schema: () => import("./commands/schema").then((m) => m.registerSchemaCommand),
  repo: () => import("./commands/repo").then((m) => m.registerRepoCommand),
  dispatch: () => import("./commands/dispatch").then((m) => m.registerDispatchCommand),
  checks: () => import("./commands/dispatch").then((m) => m.registerDispatchCommand),
  pr: () => import("./commands/pr").then((m) => m.registerPrCommand),
  hooks: () => import("./commands/hooks").then((m) => m.registerHooksCommand),
  release: () => import("./commands/release").then((m) => m.registerReleaseCommand),
  image: () => import("./commands/image").then((m) => m.registerImageCommand),
  apps: () => import("./commands/apps").then((m) => m.registerAppsCommand),
  sync: () => import("./commands/apps").then((m) => m.registerAppsCommand),
  rollback: () => import("./commands/apps").then((m) => m.registerAppsCommand),
  ps: () => import("./commands/apps").then((m) => m.registerAppsCommand),
  promote: () => import("./commands/promote").then((m) => m.registerPromoteCommand),
  demo: () => import("./commands/demo").then((m) => m.registerDemoCommand),
  "smoke-test": () => import("./commands/smoke-test").then((m) => m.registerSmokeTestCommand),
  approve: () => import("./commands/approve").then((m) => m.registerApproveCommand),
  reject: () => import("./commands/approve").then((m) => m.registerApproveCommand),
  approvals: () => import("./commands/approvals").then((m) => m.registerApprovalsCommand),
  env: () => import("./commands/env").then((m) => m.registerEnvCommand),
  notify: () => import("./commands/notify").then((m) => m.registerNotifyCommand),
  metrics: () => import("./commands/metrics").then((m) => m.registerMetricsCommand),
};

export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command("slipway")
    .description("Self-hosted delivery: GitHub Actions workflows, releases, images and GitOps in one program.")
    .version(typeof SLIPWAY_VERSION === "string" ? SLIPWAY_VERSION : "dev")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    // Unknown commands or options and missing arguments are usage errors: exit 2, as our own USAGE errors do.
    // Set before the commands are added, so that they inherit it.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
  const requested = argv[2];
  const versionOnly = requested === "--version" || requested === "-V";
  const loaders = versionOnly ? [] : requested && commands[requested] ? [commands[requested]] : Object.values(commands);
  const registered = new Set<Register>();
  for (const load of loaders) {
    const register = await load();
    if (registered.has(register)) continue;
    registered.add(register);
    register(program);
  }
  return program;
}

const argv = process.argv;
await (await buildProgram(argv)).parseAsync(argv);
