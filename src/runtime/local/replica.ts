/** One supervised replica: starts its container through a driver, runs its probes, restarts it with exponential backoff, stops it gracefully. */

import { mkdir } from "node:fs/promises";
import { SlipwayError, describeError } from "../../core/errors";
import type { ReplicaEventType } from "../events";
import type { PortBinding, ReplicaDriver, ReplicaLaunch, RunningReplica } from "../replica-driver";
import type { ExecResult, ReplicaState } from "../runtime";
import type { PodTemplate, PortRef } from "../types";
import { resolveContainer, writeVolumes, type ConfigSource } from "./container-env";
import type { LogStore, ReplicaLogWriter } from "./log-store";
import { ProbeLoop, type ProbeTarget } from "./probes";

export interface BackoffOptions {
  /** First restart delay; default 1000 ms, doubling per consecutive failure. */
  initialMs: number;
  /** Cap; default 10 000 ms (CrashLoopBackOff-like). */
  maxMs: number;
  /** A replica that ran this long without exiting starts over at initialMs; default 60 000 ms. */
  resetAfterMs: number;
}

export interface ReplicaContext {
  driver: ReplicaDriver;
  logs: LogStore;
  config: ConfigSource;
  backoff: BackoffOptions;
}

export interface ReplicaIdentity {
  namespace: string;
  name: string;
  workload: { kind: "Deployment" | "Job"; name: string };
  revision: string;
  template: PodTemplate;
  ports: PortBinding[];
  dir: string;
  restartPolicy: "Always" | "OnFailure" | "Never";
  /** When the replica was first started (an adopted one keeps its original time); default now. */
  createdAt?: number;
}

export type ReplicaListener = (replica: Replica, type: ReplicaEventType, message?: string) => void;

export class Replica {
  phase: ReplicaState["phase"] = "Starting";
  ready = false;
  readySince: number | undefined;
  restarts = 0;
  readonly createdAt: number;
  private running: RunningReplica | undefined;
  private startedAt: number | undefined;
  private lastExit: ReplicaState["lastExit"];
  private message: string | undefined;
  private probes: ProbeLoop[] = [];
  private backoffTimer: NodeJS.Timeout | undefined;
  private consecutiveFailures = 0;
  private stopping: Promise<void> | undefined;
  private killReason: string | undefined;
  private log: ReplicaLogWriter;

  constructor(
    readonly id: ReplicaIdentity,
    private readonly context: ReplicaContext,
    private readonly listener: ReplicaListener,
  ) {
    this.createdAt = id.createdAt ?? Date.now();
    this.log = context.logs.open(id.namespace, id.workload, id.name);
  }

  get terminating(): boolean {
    return this.stopping !== undefined;
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  /** Host port for a container port number or name. */
  resolvePort(port: PortRef): number | undefined {
    const binding = this.id.ports.find((candidate) => (typeof port === "number" ? candidate.containerPort === port : candidate.name === port));
    return binding?.hostPort;
  }

  start(): void {
    void this.launch();
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    this.phase = "Starting";
    const usedBy = `${this.id.workload.kind} ${this.id.namespace}/${this.id.workload.name} replica ${this.id.name}`;
    let running: RunningReplica;
    try {
      await mkdir(this.id.dir, { recursive: true });
      const resolved = await resolveContainer(this.id.template, this.context.config, { name: this.id.name, dir: this.id.dir, ports: this.id.ports, usedBy });
      if (this.stopping) return;
      const launch: ReplicaLaunch = {
        namespace: this.id.namespace,
        name: this.id.name,
        workload: this.id.workload,
        revision: this.id.revision,
        template: this.id.template,
        container: resolved.container,
        env: resolved.env,
        ports: this.id.ports,
        mounts: resolved.mounts,
        labels: this.id.template.labels,
        replicaDir: this.id.dir,
      };
      running = await this.context.driver.start(launch, this.log);
    } catch (error) {
      this.message = describeError(error);
      this.onExit({ exitCode: null, signal: null }, "StartError");
      return;
    }
    this.running = running;
    this.startedAt = Date.now();
    this.message = undefined;
    if (this.stopping) {
      await running.stop(0);
      return;
    }
    this.phase = "Running";
    this.listener(this, this.restarts > 0 ? "restarted" : "started");
    void running.exited.then((exit) => {
      if (this.running !== running) return;
      this.onExit(exit, this.killReason ?? exit.reason ?? (exit.exitCode === 0 ? "Completed" : "Error"));
      // Leftovers of the tree (background children) must not keep its port.
      void running.stop(500);
    });
    this.startProbes();
  }

  private probeTarget(): ProbeTarget {
    return { resolvePort: (port) => this.resolvePort(port), exec: (command, timeoutMs) => this.exec(command, timeoutMs) };
  }

  private startProbes(): void {
    const container = this.id.template.containers[0];
    const target = this.probeTarget();
    const afterStartup = (): void => {
      if (this.stopping || !this.running) return;
      if (container.livenessProbe) {
        this.addProbe(new ProbeLoop(container.livenessProbe, target, (outcome, message) => {
          if (outcome === "failure") this.restartAfterProbe("liveness", message);
        }));
      }
      const firstPort = this.id.ports[0];
      if (container.readinessProbe) {
        this.addProbe(new ProbeLoop(container.readinessProbe, target, (outcome, message) => this.setReady(outcome === "success", message)));
      } else if (this.running.adopted && firstPort) {
        // Adopted after a restart with no readiness probe: back into the balancers once its port accepts connections.
        const check: ProbeLoop = new ProbeLoop({ tcpSocket: { port: firstPort.containerPort }, periodSeconds: 0.2, failureThreshold: 1 }, target, (outcome) => {
          if (outcome !== "success") return;
          check.stop();
          this.setReady(true);
        });
        this.addProbe(check);
      } else {
        this.setReady(true);
      }
    };
    if (!container.startupProbe) return afterStartup();
    const startup = new ProbeLoop(container.startupProbe, target, (outcome, message) => {
      startup.stop();
      if (outcome === "success") afterStartup();
      else this.restartAfterProbe("startup", message);
    });
    this.addProbe(startup);
  }

  private addProbe(loop: ProbeLoop): void {
    this.probes.push(loop);
    loop.start();
  }

  private stopProbes(): void {
    for (const probe of this.probes) probe.stop();
    this.probes = [];
  }

  private setReady(ready: boolean, message?: string): void {
    if (this.ready === ready || (ready && (this.stopping || !this.running))) return;
    this.ready = ready;
    this.readySince = ready ? Date.now() : undefined;
    if (!ready) this.message = message;
    this.listener(this, ready ? "ready" : "unready", message);
  }

  private restartAfterProbe(kind: "liveness" | "startup", message: string): void {
    if (this.stopping || !this.running) return;
    this.message = `${kind} probe failed: ${message}`;
    this.killReason = kind === "liveness" ? "LivenessProbeFailed" : "StartupProbeFailed";
    this.listener(this, "probe-failed", this.message);
    this.setReady(false, this.message);
    const grace = (this.id.template.terminationGracePeriodSeconds ?? 30) * 1000;
    void this.running.stop(grace);
  }

  private onExit(exit: { exitCode: number | null; signal: string | null }, reason: string): void {
    this.stopProbes();
    this.setReady(false, `exited (${reason})`);
    this.running = undefined;
    this.killReason = undefined;
    this.lastExit = { exitCode: exit.exitCode, signal: exit.signal, reason, at: new Date().toISOString() };
    if (this.stopping) return;
    const succeeded = exit.exitCode === 0 && reason === "Completed";
    const restart = this.id.restartPolicy === "Always" || (this.id.restartPolicy === "OnFailure" && !succeeded);
    this.phase = restart ? "BackOff" : succeeded ? "Succeeded" : "Failed";
    this.listener(this, "exited", `${reason}: exit code ${exit.exitCode ?? "none"}${exit.signal ? `, signal ${exit.signal}` : ""}${this.message && reason === "StartError" ? ` (${this.message})` : ""}`);
    if (!restart || this.stopping) return;
    const ranFor = this.startedAt === undefined ? 0 : Date.now() - this.startedAt;
    if (ranFor >= this.context.backoff.resetAfterMs) this.consecutiveFailures = 0;
    this.consecutiveFailures++;
    const delay = Math.min(this.context.backoff.initialMs * 2 ** (this.consecutiveFailures - 1), this.context.backoff.maxMs);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.restarts++;
      void this.launch();
    }, delay);
  }

  /** Rewrites ConfigMap and Secret volume files after an update (env stays as started, as in Kubernetes). */
  async refreshVolumes(): Promise<void> {
    if (this.stopping || !(this.id.template.containers[0].volumeMounts ?? []).length) return;
    await writeVolumes(this.id.template, this.id.template.containers[0], this.context.config, this.id.dir, `replica ${this.id.name}`).catch(() => undefined);
  }

  async exec(command: string[], timeoutMs: number): Promise<ExecResult> {
    if (!this.running) throw new SlipwayError("CONFLICT", `replica ${this.id.name} is not running`);
    return this.running.exec(command, timeoutMs);
  }

  /** Stops probes and restarts, then SIGTERM and SIGKILL after graceMs; idempotent. */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= (async () => {
      if (this.phase !== "Succeeded" && this.phase !== "Failed") this.phase = "Terminating";
      if (this.backoffTimer) clearTimeout(this.backoffTimer);
      this.stopProbes();
      this.setReady(false, "terminating");
      const running = this.running;
      if (running) {
        await running.stop(graceMs);
        await running.exited;
      }
      this.running = undefined;
      this.log.close();
      this.listener(this, "stopped");
    })();
    return this.stopping;
  }

  state(): ReplicaState {
    const first = this.id.ports[0];
    return {
      name: this.id.name,
      pid: this.running?.pid,
      containerId: this.running?.containerId,
      image: this.id.template.containers[0].image,
      revision: this.id.revision,
      ports: this.id.ports.map((port) => ({ ...port })),
      port: first?.hostPort,
      phase: this.phase,
      ready: this.ready,
      restarts: this.restarts,
      startedAt: this.startedAt === undefined ? undefined : new Date(this.startedAt).toISOString(),
      lastExit: this.lastExit,
      message: this.message,
    };
  }
}
