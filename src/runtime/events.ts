/** The typed event stream a runtime emits and the controller listens to (replica ready/unready/exited/restarted, rollout progress, jobs). */

export type ReplicaEventType = "started" | "ready" | "unready" | "exited" | "restarted" | "probe-failed" | "stopped";

export interface ReplicaEvent {
  kind: "replica";
  type: ReplicaEventType;
  namespace: string;
  workload: { kind: "Deployment" | "Job"; name: string };
  replica: string;
  revision: string;
  message?: string;
  at: string;
}

export interface DeploymentEvent {
  kind: "deployment";
  type: "rollout-started" | "rollout-complete" | "progress-deadline-exceeded";
  namespace: string;
  name: string;
  revision: string;
  message?: string;
  at: string;
}

export interface JobEvent {
  kind: "job";
  type: "succeeded" | "failed";
  namespace: string;
  name: string;
  message?: string;
  at: string;
}

export type RuntimeEvent = ReplicaEvent | DeploymentEvent | JobEvent;

type Listener = (event: RuntimeEvent) => void;

/** A tiny synchronous emitter; a listener that throws never breaks the runtime. */
export class RuntimeEvents {
  private readonly listeners = new Set<Listener>();

  /** Returns the function that unsubscribes. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // The controller's bug must not stop supervision.
      }
    }
  }
}
