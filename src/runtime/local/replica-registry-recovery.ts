/** After a restart: which recorded replicas still run and may be adopted, and the end of everything else this runtime left behind. */

import { findProcessesWithEnvironment, isSameProcessRunning } from "../../workflow/executors/host/proc-table";
import { killProcessesWithEnvironment, killProcessTree, processTrackingVariable } from "../../workflow/executors/host/tree-termination";
import { readProcessEnvironment } from "./host-replica";
import type { ReplicaRecord, ReplicaRegistry } from "./replica-registry";

/** In every replica's environment: `<name>=<state dir>` marks the processes of one runtime's data dir. */
export const runtimeMarkerVariable = "SLIPWAY_RUNTIME_STATE";

export interface RecoveryResult {
  adoptable: ReplicaRecord[];
  /** Pids of leftover processes that were ended. */
  ended: number[];
}

/**
 * Deployment replicas whose pid and start time still match are adoptable (their records stay). Every other
 * record is stale: its record goes and whatever still carries its tracking id is ended. Processes with this
 * runtime's marker that no adoptable record explains (killed between spawn and record) are ended too.
 */
export async function recoverReplicas(registry: ReplicaRegistry, graceMs = 1000): Promise<RecoveryResult> {
  const adoptable: ReplicaRecord[] = [];
  const stale: ReplicaRecord[] = [];
  for (const record of registry.list()) {
    if (record.workload.kind === "Deployment" && record.template && isSameProcessRunning(record.pid, record.startTime)) adoptable.push(record);
    else stale.push(record);
  }
  const ended: number[] = [];
  await Promise.all(
    stale.map(async (record) => {
      registry.remove(record.namespace, record.name);
      ended.push(...(await killProcessesWithEnvironment(processTrackingVariable, record.trackingId, { graceMs })));
    }),
  );
  const keep = new Set(adoptable.map((record) => record.trackingId));
  const unexplained = (await findProcessesWithEnvironment(runtimeMarkerVariable, registry.dir)).filter(
    (entry) => !keep.has(readProcessEnvironment(entry.pid)[processTrackingVariable] ?? ""),
  );
  await Promise.all(
    unexplained.map(async (entry) => {
      if (!isSameProcessRunning(entry.pid, entry.startTime)) return;
      ended.push(entry.pid);
      await killProcessTree(entry.pid, { graceMs });
    }),
  );
  return { adoptable, ended };
}
