/** One Deployment's replicas across revisions: scaling, rolling updates through the balancers (join when ready, leave and drain before stop), progress tracking. */

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { ReplicaEventType } from "../events";
import type { OrphanReplica, PortBinding } from "../replica-driver";
import { templateHash } from "../revision";
import type { DeploymentState } from "../runtime";
import type { DeploymentSpec, PodTemplate } from "../types";
import { deploymentStatus, type ProgressClock } from "./deployment-status";
import { Replica } from "./replica";
import { planRollout, rolloutParameters, type PlannedReplica } from "./rollout";
import type { ServingReplica, WorkloadHost } from "./workload-host";

export class LocalDeployment {
  spec: DeploymentSpec;
  generation = 1;
  private hash: string;
  private readonly revisions = new Map<string, number>();
  private readonly replicas = new Map<string, Replica>();
  /** Replicas that left the balancers and are draining or stopping. */
  private readonly retiring = new Set<string>();
  private reconciling = false;
  private again = false;
  private closed = false;
  private readonly progress: ProgressClock = { lastProgressAt: Date.now(), deadlineExceeded: false, complete: false };
  private deadlineTimer: NodeJS.Timeout | undefined;
  private availabilityTimer: NodeJS.Timeout | undefined;
  /** Replicas a previous slipway left running (drivers that adopt), taken over before the first rollout step. */
  private readonly adoption: Promise<void>;

  constructor(
    spec: DeploymentSpec,
    private readonly host: WorkloadHost,
  ) {
    this.spec = spec;
    this.hash = templateHash(spec.template);
    this.revisions.set(this.hash, 1);
    this.emitDeployment("rollout-started");
    this.adoption = this.adoptOrphans();
    this.reconcile();
  }

  get name(): string {
    return this.spec.name;
  }

  /** A changed template starts a rollout; an old template coming back reuses its replicas and gets the next revision number. */
  update(spec: DeploymentSpec): void {
    this.spec = spec;
    this.generation++;
    const hash = templateHash(spec.template);
    if (hash !== this.hash) {
      this.hash = hash;
      this.revisions.set(hash, Math.max(...this.revisions.values()) + 1);
      this.progress.lastProgressAt = Date.now();
      this.progress.deadlineExceeded = false;
      this.progress.complete = false;
      this.emitDeployment("rollout-started");
    }
    this.reconcile();
  }

  private minReadyMs(): number {
    return (this.spec.minReadySeconds ?? 0) * 1000;
  }

  private isAvailable(replica: Replica): boolean {
    return replica.ready && replica.readySince !== undefined && Date.now() - replica.readySince >= this.minReadyMs();
  }

  private graceMs(replica: Replica): number {
    return (replica.id.template.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  servingReplicas(): ServingReplica[] {
    return [...this.replicas.values()]
      .filter((replica) => replica.ready && !this.retiring.has(replica.id.name))
      .map((replica) => ({ name: replica.id.name, labels: replica.id.template.labels, ports: replica.id.ports }));
  }

  /** Runs the rollout planner until nothing changes; re-entrant calls fold into one more pass. */
  reconcile(): void {
    if (this.closed) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    void this.reconcilePass().finally(() => {
      this.reconciling = false;
      if (this.again) {
        this.again = false;
        this.reconcile();
      }
    });
  }

  private async reconcilePass(): Promise<void> {
    await this.adoption;
    const current: PlannedReplica[] = [...this.replicas.values()]
      .filter((replica) => !this.retiring.has(replica.id.name))
      .map((replica) => ({ name: replica.id.name, revision: replica.id.revision, available: this.isAvailable(replica), createdAt: replica.createdAt }));
    const step = planRollout({ ...rolloutParameters(this.spec), newRevision: this.hash, current, terminating: this.retiring.size });
    for (const name of step.retire) void this.retire(name);
    for (let index = 0; index < step.start; index++) await this.startReplica();
    this.trackProgress();
  }

  private async startReplica(): Promise<void> {
    const container = this.spec.template.containers[0];
    const ports: PortBinding[] = [];
    for (const port of container.ports ?? []) ports.push({ name: port.name, containerPort: port.containerPort, hostPort: await this.host.ports.allocate() });
    if (this.closed) {
      for (const port of ports) this.host.ports.release(port.hostPort);
      return;
    }
    const name = `${this.spec.name}-${this.hash}-${randomBytes(3).toString("hex").slice(0, 5)}`;
    this.addReplica(name, this.hash, this.spec.template, ports);
  }

  /** Takes over the driver's replicas of this Deployment from before a restart (same names and ports); the rollout then treats them like its own. */
  private async adoptOrphans(): Promise<void> {
    const orphans: OrphanReplica[] = (await this.host.context.driver.orphans?.(this.host.namespace, { kind: "Deployment", name: this.spec.name }).catch(() => [])) ?? [];
    for (const orphan of orphans) {
      if (this.closed || this.replicas.has(orphan.name)) continue;
      for (const port of orphan.ports) this.host.ports.hold(port.hostPort);
      this.addReplica(orphan.name, orphan.revision, orphan.template, orphan.ports, orphan.startedAt);
    }
  }

  private addReplica(name: string, revision: string, template: PodTemplate, ports: PortBinding[], createdAt?: number): void {
    const replica = new Replica(
      {
        namespace: this.host.namespace,
        name,
        workload: { kind: "Deployment", name: this.spec.name },
        revision,
        template,
        ports,
        dir: join(this.host.replicasDir, name),
        restartPolicy: "Always",
        // An adopted replica keeps its age, so scale-down still retires the youngest first.
        createdAt,
      },
      this.host.context,
      (changed, type, message) => this.onReplicaEvent(changed, type, message),
    );
    this.replicas.set(name, replica);
    if (replica.id.revision === this.hash) this.progress.lastProgressAt = Date.now();
    replica.start();
  }

  /** Leaves every balancer, drains in-flight requests, then SIGTERM and SIGKILL after the grace period. */
  private async retire(name: string): Promise<void> {
    const replica = this.replicas.get(name);
    if (!replica || this.retiring.has(name)) return;
    this.retiring.add(name);
    this.host.endpointsChanged();
    const grace = this.graceMs(replica);
    await this.host.drain(name, grace);
    await replica.stop(grace);
    for (const port of replica.id.ports) this.host.ports.release(port.hostPort);
    this.replicas.delete(name);
    this.retiring.delete(name);
    await rm(replica.id.dir, { recursive: true, force: true }).catch(() => undefined);
    if (replica.id.revision !== this.hash) this.progress.lastProgressAt = Date.now();
    this.reconcile();
  }

  private onReplicaEvent(replica: Replica, type: ReplicaEventType, message?: string): void {
    this.host.events.emit({
      kind: "replica",
      type,
      namespace: this.host.namespace,
      workload: { kind: "Deployment", name: this.spec.name },
      replica: replica.id.name,
      revision: replica.id.revision,
      message,
      at: new Date().toISOString(),
    });
    if (type === "ready" || type === "unready" || type === "exited") this.host.endpointsChanged();
    if (type === "ready" && replica.id.revision === this.hash) this.progress.lastProgressAt = Date.now();
    if (type === "ready" && this.minReadyMs() > 0) {
      clearTimeout(this.availabilityTimer);
      this.availabilityTimer = setTimeout(() => this.reconcile(), this.minReadyMs() + 5);
    }
    if (type !== "stopped") this.reconcile();
  }

  /** Updates the Progressing condition inputs and arms the progress-deadline timer. */
  private trackProgress(): void {
    const status = this.state();
    if (status.complete && !this.progress.complete) this.emitDeployment("rollout-complete");
    this.progress.complete = status.complete;
    clearTimeout(this.deadlineTimer);
    if (status.complete || this.progress.deadlineExceeded || this.closed) return;
    const deadlineMs = (this.spec.progressDeadlineSeconds ?? 600) * 1000;
    const remaining = this.progress.lastProgressAt + deadlineMs - Date.now();
    this.deadlineTimer = setTimeout(() => {
      if (this.closed || this.progress.complete) return;
      if (Date.now() - this.progress.lastProgressAt >= deadlineMs) {
        this.progress.deadlineExceeded = true;
        this.emitDeployment("progress-deadline-exceeded", `revision ${this.hash} made no progress for ${deadlineMs / 1000} s`);
      } else this.trackProgress();
    }, Math.max(0, remaining) + 5);
  }

  private emitDeployment(type: "rollout-started" | "rollout-complete" | "progress-deadline-exceeded", message?: string): void {
    this.host.events.emit({ kind: "deployment", type, namespace: this.host.namespace, name: this.spec.name, revision: this.hash, message, at: new Date().toISOString() });
  }

  state(): DeploymentState {
    const replicas = [...this.replicas.values()];
    return deploymentStatus({
      spec: this.spec,
      generation: this.generation,
      hash: this.hash,
      revision: this.revisions.get(this.hash) ?? 1,
      replicas: replicas.map((replica) => ({ replica, available: this.isAvailable(replica), retiring: this.retiring.has(replica.id.name) })),
      progress: this.progress,
    });
  }

  /** Retires every replica (leave balancers, drain, stop). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.availabilityTimer);
    await Promise.all([...this.replicas.keys()].map((name) => this.retire(name)));
    // Replicas still being created when we closed are stopped too.
    await Promise.all([...this.replicas.values()].map((replica) => replica.stop(0)));
  }

  findReplica(name?: string): Replica | undefined {
    const all = [...this.replicas.values()].filter((replica) => !this.retiring.has(replica.id.name));
    return name === undefined ? (all.find((replica) => replica.ready) ?? all[0]) : this.replicas.get(name);
  }

  allReplicas(): Replica[] {
    return [...this.replicas.values()];
  }
}
