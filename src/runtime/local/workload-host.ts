/** What a Deployment or Job needs from its namespace: replica context, ports, events, and the Services' endpoints and draining. */

import type { RuntimeEvents } from "../events";
import type { PortBinding } from "../replica-driver";
import type { Labels } from "../types";
import type { PortAllocator } from "./ports";
import type { ReplicaContext } from "./replica";

/** A replica that may receive traffic: ready and not leaving. */
export interface ServingReplica {
  name: string;
  labels: Labels;
  ports: PortBinding[];
}

export interface WorkloadHost {
  readonly namespace: string;
  readonly context: ReplicaContext;
  readonly ports: PortAllocator;
  readonly events: RuntimeEvents;
  /** Where replica directories go: <dataDir>/namespaces/<ns>/replicas. */
  readonly replicasDir: string;
  /** Recomputes every Service's endpoints now (synchronously). */
  endpointsChanged(): void;
  /** Resolves once no balancer has anything in flight to the replica (or the timeout passed). */
  drain(replica: string, timeoutMs: number): Promise<void>;
}
