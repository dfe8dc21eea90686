/** GitOps delivery in the server: one SyncController per env repo (apps/*.yaml on its default branch) over a shared `local` runtime, driven by pushes. */

import { join } from "node:path";
import { SlipwayError, describeError } from "../../core/errors";
import type { JsonValue } from "../../core/json";
import { gitMaybe } from "../../git/git-cli";
import { appsDirectory } from "../../gitops/env-repo";
import { LocalRuntime } from "../../runtime/local/local-runtime";
import type { ReplicaState } from "../../runtime/runtime";
import type { PushRecord, RepoRecord, Store } from "../../store";
import { resourceHealth } from "../../sync/health";
import type { ApplicationController } from "../../sync/controller/application-controller";
import { liveObjectsOf } from "../../sync/controller/live-objects";
import { SyncController } from "../../sync/controller/sync-controller";
import type { AppStatus, RollbackEvent, SyncFinishedEvent, SyncRecord } from "../../sync/controller/types";
import { instanceLabel } from "../../sync/manifest-to-runtime";
import { objectRef } from "../../sync/model";
import type { ServerEvents } from "./server-events";

export interface DeliveryOptions {
  /** Ingress entry point per environment (namespace), e.g. { dev: 8080 }; others get a free port. */
  ingressPorts?: Record<string, number>;
  /** The safety-net resync. Default 3 minutes. */
  resyncMs?: number;
  /** Drift check for self-heal. Default 30 s; 0 turns it off. */
  driftCheckMs?: number;
}

export interface DeliveryDeps {
  store: Store;
  events: ServerEvents;
  dataDir: string;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
}

/** An Application as the API shows it. */
export interface AppSummary extends AppStatus {
  name: string;
  repo: string;
  runtime: string;
  namespace: string;
  path: string;
  ingressUrl?: string;
  lastSync?: SyncRecord;
}

export interface ReplicaView {
  app: string;
  namespace: string;
  deployment: string;
  name: string;
  pid?: number;
  port?: number;
  image: string;
  revision: string;
  phase: ReplicaState["phase"];
  ready: boolean;
  restarts: number;
  startedAt?: string;
}

export interface ResourceView {
  kind: string;
  name: string;
  namespace: string;
  health: string;
  message?: string;
}

interface EnvRepo {
  repo: RepoRecord;
  controller: SyncController;
  started: Promise<void>;
}

export interface FoundApp {
  repo: RepoRecord;
  controller: SyncController;
  app: ApplicationController;
}

/** Whether `revision` of the bare repo holds apps/*.yaml. */
async function holdsApplications(repoDir: string, revision: string): Promise<boolean> {
  const out = await gitMaybe(["ls-tree", "--name-only", `${revision}^{commit}`, `${appsDirectory}/`], repoDir);
  return (out ?? "").split("\n").some((path) => /^apps\/[^/]+\.ya?ml$/.test(path));
}

export class DeliveryService {
  private runtime: LocalRuntime | undefined;
  private readonly envRepos = new Map<number, EnvRepo>();
  private closed = false;
  /** Event log writes in flight, awaited by close. */
  private readonly appends = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly options: DeliveryOptions = {},
  ) {}

  /** Startup: every repo whose default branch already holds Applications converges again (in the background). */
  async recover(): Promise<void> {
    for (const repo of await this.deps.store.repos.listRepos()) {
      if (await holdsApplications(this.deps.repoPath(repo), `refs/heads/${repo.defaultBranch}`)) this.watch(repo);
    }
  }

  /** From the push receiver: a push to an env repo's default branch reconciles at once; never throws, never waits for the rollout. */
  onBranchPush(repo: RepoRecord, push: PushRecord): void {
    if (this.closed || push.ref !== `refs/heads/${repo.defaultBranch}`) return;
    void this.pushed(repo, push.after).catch((error: unknown) => this.deps.log(`delivery ${repo.fullName} @ ${push.after.slice(0, 7)}: ${describeError(error)}`));
  }

  private async pushed(repo: RepoRecord, sha: string): Promise<void> {
    const known = this.envRepos.get(repo.id);
    if (known) {
      await known.started;
      await known.controller.onEnvRepoPush(sha);
    } else if ((await holdsApplications(this.deps.repoPath(repo), sha)) && !this.closed) {
      await this.watch(repo, sha).started;
    }
  }

  /** The shared runtime, started when the first env repo appears. */
  private localRuntime(): LocalRuntime {
    this.runtime ??= new LocalRuntime({ dataDir: join(this.deps.dataDir, "runtime"), ingressPorts: this.options.ingressPorts });
    return this.runtime;
  }

  /** Starts the repo's controller; `pushed` = the push that made it an env repo (its first sync is recorded as that push). */
  private watch(repo: RepoRecord, pushed?: string): EnvRepo {
    const existing = this.envRepos.get(repo.id);
    if (existing) return existing;
    const controller = new SyncController({
      repoDir: this.deps.repoPath(repo),
      branch: repo.defaultBranch,
      runtimes: { local: this.localRuntime() },
      resyncMs: this.options.resyncMs,
      driftCheckMs: this.options.driftCheckMs ?? 30_000,
    });
    controller.on("sync.succeeded", (event) => this.recordSync(repo, "sync.succeeded", event));
    controller.on("sync.failed", (event) => this.recordSync(repo, "sync.failed", event));
    controller.on("rollback", (event) => this.recordRollback(repo, event));
    controller.on("load.failed", (event) => this.deps.log(`delivery ${repo.fullName}${event.app ? ` app ${event.app}` : ""}: ${event.message}`));
    const first = pushed ? controller.onEnvRepoPush(pushed).then(() => controller.start()) : controller.start();
    const started = first.catch((error: unknown) => this.deps.log(`delivery ${repo.fullName}: ${describeError(error)}`));
    const entry: EnvRepo = { repo, controller, started };
    this.envRepos.set(repo.id, entry);
    this.deps.log(`delivery: ${repo.fullName} is an environment repo; syncing its Applications`);
    return entry;
  }

  private append(type: string, app: string, payload: JsonValue): void {
    const write = this.deps.store.events.append({ type, subject: `app:${app}`, payload }).catch((error: unknown) => this.deps.log(`event ${type} app:${app}: ${describeError(error)}`));
    this.appends.add(write);
    void write.finally(() => this.appends.delete(write));
  }

  private recordSync(repo: RepoRecord, type: "sync.succeeded" | "sync.failed", event: SyncFinishedEvent): void {
    const record = event.record;
    this.append(type, event.app, { repo: repo.fullName, app: event.app, revision: event.revision, result: record.result ?? null, message: record.message ?? null, trigger: record.trigger.kind, durationMs: record.durationMs ?? null, revertCommit: record.revertCommit ?? null });
    this.deps.events.emit({ type, repo: repo.fullName, app: event.app, revision: event.revision, result: record.result ?? "Failed", message: record.message });
  }

  private recordRollback(repo: RepoRecord, event: RollbackEvent): void {
    this.append("rollback", event.app, { repo: repo.fullName, app: event.app, failedRevision: event.failedRevision, restoredRevision: event.restoredRevision, reason: event.reason, revertCommit: event.revertCommit ?? null });
    this.deps.events.emit({ type: "rollback", repo: repo.fullName, app: event.app, failedRevision: event.failedRevision, restoredRevision: event.restoredRevision, revertCommit: event.revertCommit });
  }

  /** Every Application known, with its env repo. */
  applications(): FoundApp[] {
    return [...this.envRepos.values()].flatMap(({ repo, controller }) => controller.applications().map((app) => ({ repo, controller, app })));
  }

  /** One Application by name (`repo` = owner/name when two env repos have the same name). */
  find(name: string, repo?: string): FoundApp {
    const matches = this.applications().filter((found) => found.app.name === name && (repo === undefined || found.repo.fullName === repo));
    if (matches.length === 0) throw new SlipwayError("NOT_FOUND", `There is no Application named ${name}${repo ? ` in ${repo}` : ""}.`);
    if (matches.length > 1) throw new SlipwayError("CONFLICT", `Several env repos have an Application named ${name} (${matches.map((m) => m.repo.fullName).join(", ")}): pass ?repo=owner/name.`);
    return matches[0];
  }

  summary(found: FoundApp): AppSummary {
    const { app, repo } = found;
    const status = app.status();
    return {
      ...status,
      name: app.name,
      repo: repo.fullName,
      runtime: app.application.spec.destination.name || "local",
      namespace: app.namespace,
      path: app.application.spec.source.path,
      ingressUrl: this.runtime?.ingressUrl(app.namespace),
      lastSync: app.syncHistory()[0],
    };
  }

  /** The app's live objects (those carrying its instance label) with their health. */
  resources(found: FoundApp): ResourceView[] {
    const namespace = found.app.namespace;
    if (!this.runtime) return [];
    const live = liveObjectsOf(this.runtime.snapshot(namespace), { app: found.app.name, annotations: new Map(), hooks: new Set() });
    return live.map((object) => {
      const ref = objectRef(object.object);
      const health = resourceHealth(object);
      return { kind: ref.kind, name: ref.name, namespace, health: health.status, message: health.message };
    });
  }

  /** Every replica of the app's Deployments. */
  replicas(found: FoundApp): ReplicaView[] {
    const namespace = found.app.namespace;
    if (!this.runtime) return [];
    const deployments = this.runtime.snapshot(namespace).deployments.filter((deployment) => deployment.spec.labels?.[instanceLabel] === found.app.name);
    return deployments.flatMap((deployment) =>
      deployment.pods.map((pod) => ({
        app: found.app.name,
        namespace,
        deployment: deployment.name,
        name: pod.name,
        pid: pod.pid,
        port: pod.port,
        image: pod.image,
        revision: pod.revision,
        phase: pod.phase,
        ready: pod.ready,
        restarts: pod.restarts,
        startedAt: pod.startedAt,
      })),
    );
  }

  /** Stops every controller (waiting for syncs in flight) and closes the runtime: no replica process is left. */
  async close(): Promise<void> {
    this.closed = true;
    const repos = [...this.envRepos.values()];
    await Promise.all(repos.map(async ({ controller, started }) => {
      await started;
      await controller.stop();
    }));
    this.envRepos.clear();
    await this.runtime?.close();
    await Promise.all([...this.appends]);
  }
}
