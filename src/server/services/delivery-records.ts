/** What delivery records for an env repo: its controller's syncs and deployments in the store, and delivery events in the event log and on the server events. */

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describeError } from "../../core/errors";
import type { RepoRecord, Store } from "../../store";
import type { SyncController } from "../../sync/controller/sync-controller";
import type { SyncHistorySink } from "../../sync/controller/types";
import { degradedEvent, deploymentEvent, recoveredEvent, rollbackEvent, syncEvent, type DeliveryEvent } from "../../sync/delivery-events";
import type { ServerEvents } from "./server-events";

/** The store behind one env repo's controller (records are keyed by the repo's full name and the app). */
export function storeHistorySink(store: Store, repo: string): SyncHistorySink {
  return {
    saveSync: (record) => store.syncs.saveSync(repo, record),
    saveDeployment: (deployment) => store.syncs.saveDeployment(repo, deployment),
    loadSyncs: async (app, limit) => (await store.syncs.listSyncs({ repo, app, limit })).map(({ repo: _repo, ...record }) => record),
  };
}

export interface EventRecorderDeps {
  store: Store;
  events: ServerEvents;
  log(message: string): void;
  /** Event log writes in flight (the service awaits them on close). */
  appends: Set<Promise<unknown>>;
}

/** Every delivery event of `controller` goes to the event log (subject app:<name>) and out on the server events. */
export function recordDeliveryEvents(deps: EventRecorderDeps, repo: RepoRecord, controller: SyncController): void {
  const environmentOf = (app: string): string => controller.application(app)?.namespace ?? "";
  const factsOf = (app: string) => controller.application(app)?.facts;
  const publish = (event: DeliveryEvent | undefined): void => {
    if (!event) return;
    const { type, ...payload } = event;
    const write = deps.store.events.append({ type, subject: `app:${event.app}`, payload }).catch((error: unknown) => deps.log(`event ${type} app:${event.app}: ${describeError(error)}`));
    deps.appends.add(write);
    void write.finally(() => deps.appends.delete(write));
    deps.events.emit(event);
  };
  controller.on("sync.succeeded", (event) => publish(syncEvent(repo.fullName, event.record, factsOf(event.app), environmentOf(event.app))));
  controller.on("sync.failed", (event) => publish(syncEvent(repo.fullName, event.record, factsOf(event.app), environmentOf(event.app))));
  controller.on("deployment", (deployment) => publish(deploymentEvent(repo.fullName, deployment)));
  controller.on("rollback", (event) => publish(rollbackEvent(repo.fullName, event, environmentOf(event.app))));
  controller.on("health.changed", (event) => {
    if (event.to === "Degraded") publish(degradedEvent(repo.fullName, event, environmentOf(event.app)));
    else if (event.from === "Degraded" && event.to === "Healthy") publish(recoveredEvent(repo.fullName, event, environmentOf(event.app)));
  });
  controller.on("history.failed", (event) => deps.log(`delivery ${repo.fullName} app ${event.app}: sync history: ${event.message}`));
}

/** The command that runs this slipway's CLI: given, or this process when it is the CLI (`slipway up`). */
export function slipwayCommandOf(configured: string[] | undefined): string[] | undefined {
  if (configured && configured.length > 0) return configured;
  const script = process.argv[1];
  return script && /^slipway(\.js)?$/.test(basename(script)) ? [process.execPath, script] : undefined;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Writes `<dataDir>/bin/slipway` running `command`, for hook Jobs' PATH; returns the directory (undefined: no command known). */
export function writeSlipwayShim(dataDir: string, command: string[] | undefined): string | undefined {
  if (!command) return undefined;
  const dir = join(dataDir, "bin");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "slipway");
  writeFileSync(file, `#!/bin/sh\n# slipway for hook Jobs (PostSync smoke tests): written by the server at start.\nexec ${command.map(shellQuote).join(" ")} "$@"\n`);
  chmodSync(file, 0o755);
  return dir;
}
