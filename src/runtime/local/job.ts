/** A Job: run-to-completion replicas one after another until `completions` succeed or failures pass backoffLimit or the active deadline. */

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { ReplicaEventType } from "../events";
import type { PortBinding } from "../replica-driver";
import { templateHash } from "../revision";
import type { JobState } from "../runtime";
import type { JobSpec } from "../types";
import { Replica } from "./replica";
import type { WorkloadHost } from "./workload-host";

export class LocalJob {
  private readonly pods: Replica[] = [];
  private readonly released = new WeakSet<Replica>();
  private succeeded = 0;
  private failed = 0;
  private condition: JobState["conditions"][number] | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly spec: JobSpec,
    private readonly host: WorkloadHost,
  ) {
    if (spec.activeDeadlineSeconds !== undefined) {
      this.deadlineTimer = setTimeout(() => this.finish("Failed", "DeadlineExceeded", `Job ran longer than ${spec.activeDeadlineSeconds} s`), spec.activeDeadlineSeconds * 1000);
    }
    void this.next();
  }

  private async next(): Promise<void> {
    if (this.closed || this.condition) return;
    const container = this.spec.template.containers[0];
    const ports: PortBinding[] = [];
    for (const port of container.ports ?? []) ports.push({ name: port.name, containerPort: port.containerPort, hostPort: await this.host.ports.allocate() });
    const hash = templateHash(this.spec.template);
    const name = `${this.spec.name}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    const policy = this.spec.template.restartPolicy ?? "Never";
    const pod = new Replica(
      { namespace: this.host.namespace, name, workload: { kind: "Job", name: this.spec.name }, revision: hash, template: this.spec.template, ports, dir: join(this.host.replicasDir, name), restartPolicy: policy },
      this.host.context,
      (replica, type, message) => this.onEvent(replica, type, message),
    );
    this.pods.push(pod);
    pod.start();
  }

  private onEvent(pod: Replica, type: ReplicaEventType, message?: string): void {
    this.host.events.emit({ kind: "replica", type, namespace: this.host.namespace, workload: { kind: "Job", name: this.spec.name }, replica: pod.id.name, revision: pod.id.revision, message, at: new Date().toISOString() });
    if (type !== "exited" || this.condition) return;
    const backoffLimit = this.spec.backoffLimit ?? 6;
    if (pod.phase === "Succeeded") {
      this.succeeded++;
      void this.release(pod);
      if (this.succeeded >= (this.spec.completions ?? 1)) this.finish("Complete", "Completed", `${this.succeeded} completion(s)`);
      else void this.next();
      return;
    }
    this.failed++;
    if (this.failed > backoffLimit) {
      this.finish("Failed", "BackoffLimitExceeded", `Job has reached the specified backoff limit (${backoffLimit}); last: ${message ?? ""}`);
      return;
    }
    // OnFailure restarts the same pod itself; Never starts a fresh one after a backoff.
    if (pod.phase === "Failed") {
      void this.release(pod);
      const delay = Math.min(this.host.context.backoff.initialMs * 2 ** (this.failed - 1), this.host.context.backoff.maxMs);
      this.retryTimer = setTimeout(() => void this.next(), delay);
    }
  }

  private async release(pod: Replica, graceMs = 0): Promise<void> {
    await pod.stop(graceMs);
    // Once only: a port released twice could free one another replica holds by then.
    if (this.released.has(pod)) return;
    this.released.add(pod);
    for (const port of pod.id.ports) this.host.ports.release(port.hostPort);
  }

  private finish(type: "Complete" | "Failed", reason: string, message: string): void {
    if (this.condition) return;
    this.condition = { type, status: "True", reason, message };
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.retryTimer);
    for (const pod of this.pods) void this.release(pod);
    this.host.events.emit({ kind: "job", type: type === "Complete" ? "succeeded" : "failed", namespace: this.host.namespace, name: this.spec.name, message, at: new Date().toISOString() });
  }

  state(): JobState {
    const active = this.pods.filter((pod) => pod.phase === "Starting" || pod.phase === "Running" || pod.phase === "BackOff").length;
    return {
      name: this.spec.name,
      spec: this.spec,
      active: this.condition ? 0 : active,
      succeeded: this.succeeded,
      failed: this.failed,
      conditions: this.condition ? [this.condition] : [],
      pods: this.pods.map((pod) => pod.state()),
    };
  }

  findReplica(name?: string): Replica | undefined {
    return name === undefined ? this.pods.at(-1) : this.pods.find((pod) => pod.id.name === name);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.retryTimer);
    const grace = (this.spec.template.terminationGracePeriodSeconds ?? 30) * 1000;
    await Promise.all(this.pods.map((pod) => this.release(pod, grace)));
  }
}
