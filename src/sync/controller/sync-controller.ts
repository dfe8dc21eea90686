/** Every Application of an env repo: reconciles them when the repo moves (event-driven), with a slow resync timer only as a safety net. */

import { EventEmitter } from "node:events";
import { describeError } from "../../core/errors";
import type { ApplicationManifest } from "../../gitops/manifests/model";
import { listApplications } from "../../gitops/env-repo";
import type { Runtime } from "../../runtime/runtime";
import { ApplicationController, type ApplicationControllerOptions } from "./application-controller";
import { gitCommitReader, resolveRevision } from "./git-reader";
import type { GitIdentity } from "./git-writer";
import { SyncInterrupted } from "./interruption";
import { SharedObservations } from "./shared-observations";
import { hasSyncOption } from "../../gitops/manifests/parse-application";
import { destinationNamespace } from "./desired-state";
import type { AppStatus, ControllerEvents, SyncHistorySink, SyncRecord, SyncTrigger } from "./types";

export interface SyncControllerOptions {
  /** The environment repo (bare); apps/*.yaml on `branch` name the Applications. */
  repoDir: string;
  /** Default "main". */
  branch?: string;
  /** Runtimes by `destination.name`; an Application naming none uses "local", else the only one. */
  runtimes: Record<string, Runtime>;
  /** The runtime of an Application naming none, instead of "local" (`slipway up --runtime docker`). */
  defaultRuntime?: string;
  /** The safety-net resync period. Default 3 minutes; 0 turns it off. */
  resyncMs?: number;
  /** How often observeDrift runs for every app (self-heal between pushes). Default 0: off, the server calls observeDrift. */
  driftCheckMs?: number;
  identity?: GitIdentity;
  /** Where every app's syncs and deployments are recorded (the server's store). */
  history?: SyncHistorySink;
  /** A directory put first on hook Jobs' PATH (where `slipway` is). */
  hookPath?: string;
  /** Time-dependent changes to desired state (schedules), applied on every reconcile. */
  adjustDesired?: ApplicationControllerOptions["adjustDesired"];
}

export interface SyncControllerEvents extends ControllerEvents {
  "load.failed": [{ app?: string; message: string }];
}

export class SyncController extends EventEmitter<SyncControllerEvents> {
  private readonly apps = new Map<string, ApplicationController>();
  private timer: NodeJS.Timeout | undefined;
  private driftTimer: NodeJS.Timeout | undefined;
  /** Loading apps/ is serialized; reconciles are queued per app, so one slow rollout never delays another app. */
  private loading: Promise<unknown> = Promise.resolve();
  /** Namespaces some app created or synced into: another app of the same controller may use them. */
  private readonly knownNamespaces = new Set<string>();
  /** The branch head apps/ was last listed at: listing again at the same head is skipped. */
  private listedAt: string | undefined;
  private readonly shared: SharedObservations;
  /** Fired by stop: syncs in flight stop waiting, nothing new starts. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: SyncControllerOptions) {
    super();
    this.shared = new SharedObservations((revision) => resolveRevision(options.repoDir, revision), (sha) => gitCommitReader(options.repoDir, sha));
  }

  /** Loads the Applications at the branch head, reconciles them all, and arms the resync timer. */
  async start(): Promise<void> {
    await this.refresh({ kind: "resync" });
    if (this.stopping.signal.aborted) return;
    const period = this.options.resyncMs ?? 180_000;
    if (period > 0) {
      this.timer = setInterval(() => void this.refresh({ kind: "resync" }).catch(() => undefined), period);
      this.timer.unref();
    }
    const drift = this.options.driftCheckMs ?? 0;
    if (drift > 0) {
      this.driftTimer = setInterval(() => void this.observeDrift().catch(() => undefined), drift);
      this.driftTimer.unref();
    }
  }

  /** A resync now (what the timer does): compares every app with the runtime, syncs those the policy says to. */
  resync(): Promise<AppStatus[]> {
    return this.refresh({ kind: "resync" });
  }

  /** Called from the env repo's push event: reconciles every Application at once (the sha is for the record). */
  onEnvRepoPush(sha?: string): Promise<AppStatus[]> {
    return this.refresh({ kind: "push", sha });
  }

  application(name: string): ApplicationController | undefined {
    return this.apps.get(name);
  }

  applications(): ApplicationController[] {
    return [...this.apps.values()];
  }

  sync(app: string, by?: string): Promise<AppStatus> {
    return this.require(app).sync(by);
  }

  rollback(app: string, toRevision?: string, by?: string): Promise<SyncRecord> {
    return this.require(app).rollback(toRevision, by);
  }

  /** The periodic drift check of every app (self-heals those with selfHeal on). */
  async observeDrift(): Promise<Record<string, string[]>> {
    const result: Record<string, string[]> = {};
    for (const app of this.apps.values()) result[app.name] = await app.observeDrift();
    return result;
  }

  /**
   * Stops the timers and interrupts syncs in flight (recorded as interrupted: no rollback, no failure), then waits for them
   * to wind down. The runtime keeps running what was applied; the next start reconciles again. A stopped controller stays stopped.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new SyncInterrupted());
    clearInterval(this.timer);
    clearInterval(this.driftTimer);
    this.timer = undefined;
    this.driftTimer = undefined;
    await this.loading;
    await Promise.all([...this.apps.values()].map((app) => app.whenIdle()));
  }

  private require(name: string): ApplicationController {
    const app = this.apps.get(name);
    if (!app) throw new Error(`no Application named ${name}`);
    return app;
  }

  private refresh(trigger: SyncTrigger): Promise<AppStatus[]> {
    this.shared.begin();
    const loaded = this.loading.then(() => this.loadApplications());
    this.loading = loaded.catch(() => undefined);
    const reconciled = loaded.then(() => Promise.all([...this.apps.values()].map((app) => app.reconcile(trigger))));
    void reconciled.catch(() => undefined).finally(() => this.shared.end());
    return reconciled;
  }

  /** Applications come from apps/*.yaml at the branch head; a bad apps/ file keeps the ones already known. */
  private async loadApplications(): Promise<void> {
    let applications: ApplicationManifest[];
    try {
      const head = await this.shared.resolve(this.options.branch ?? "main");
      if (head === this.listedAt) return;
      applications = await listApplications(this.shared.reader(head));
      this.listedAt = head;
    } catch (error) {
      this.emit("load.failed", { message: describeError(error) });
      return;
    }
    for (const application of applications) {
      // A namespace one app may create (CreateNamespace=true) is there for the other apps of this env repo too.
      if (hasSyncOption(application, "CreateNamespace")) this.knownNamespaces.add(destinationNamespace(application));
      const existing = this.apps.get(application.metadata.name);
      if (existing) {
        existing.application = application;
        continue;
      }
      const runtime = this.runtimeFor(application);
      if (!runtime) {
        this.emit("load.failed", { app: application.metadata.name, message: `no runtime named ${application.spec.destination.name ?? "(none)"}` });
        continue;
      }
      const controller = new ApplicationController({
        application,
        runtime,
        repoDir: this.options.repoDir,
        identity: this.options.identity,
        history: this.options.history,
        hookPath: this.options.hookPath,
        adjustDesired: this.options.adjustDesired,
        knownNamespaces: this.knownNamespaces,
        resolve: (revision) => this.shared.resolve(revision),
        reader: (revision) => this.shared.reader(revision),
        observe: (namespace) => this.shared.observe(runtime, namespace),
        onSyncing: (namespaces, active) => this.shared.syncing(runtime, namespaces, active),
        signal: this.stopping.signal,
      });
      this.forward(controller);
      this.apps.set(application.metadata.name, controller);
    }
    // An Application removed from git stops being reconciled; its objects keep running (Argo CD without the finalizer).
    const names = new Set(applications.map((application) => application.metadata.name));
    for (const name of [...this.apps.keys()]) if (!names.has(name)) this.apps.delete(name);
  }

  private forward(controller: ApplicationController): void {
    controller.on("sync.started", (event) => this.emit("sync.started", event));
    controller.on("sync.succeeded", (event) => this.emit("sync.succeeded", event));
    controller.on("sync.failed", (event) => this.emit("sync.failed", event));
    controller.on("health.changed", (event) => this.emit("health.changed", event));
    controller.on("rollback", (event) => this.emit("rollback", event));
    controller.on("drift", (event) => this.emit("drift", event));
    controller.on("deployment", (event) => this.emit("deployment", event));
    controller.on("history.failed", (event) => this.emit("history.failed", event));
  }

  private runtimeFor(application: ApplicationManifest): Runtime | undefined {
    const runtimes = this.options.runtimes;
    const name = application.spec.destination.name;
    if (name !== undefined) return runtimes[name];
    return runtimes[this.options.defaultRuntime ?? "local"] ?? (Object.keys(runtimes).length === 1 ? Object.values(runtimes)[0] : undefined);
  }
}
