/** GitOps delivery in the server: one SyncController per env repo (apps/*.yaml on its default branch) over a shared `local` runtime, driven by pushes. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SlipwayError, describeError } from "../../core/errors";
import { gitMaybe } from "../../git/git-cli";
import { appsDirectory } from "../../gitops/env-repo";
import type { ImageSource } from "../../runtime/local/image-source";
import { DockerRuntime } from "../../runtime/docker/docker-runtime";
import type { RegistryCredentials } from "../../runtime/docker/docker-engine";
import { LocalRuntime } from "../../runtime/local/local-runtime";
import type { ReplicaState } from "../../runtime/runtime";
import type { PushRecord, RepoRecord, Store } from "../../store";
import { resourceHealth } from "../../sync/health";
import type { ApplicationController } from "../../sync/controller/application-controller";
import { liveObjectsOf } from "../../sync/controller/live-objects";
import { SyncController, type SyncControllerOptions } from "../../sync/controller/sync-controller";
import type { AppStatus, SyncRecord } from "../../sync/controller/types";
import { recordDeliveryEvents, slipwayCommandOf, storeHistorySink, writeSlipwayShim } from "./delivery-records";
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
  /** How to run slipway's CLI (e.g. [node, bin/slipway.js]) from hook Jobs; default: this process when it is the CLI. */
  slipwayCommand?: string[];
  /** The runtime of Applications whose destination.name is empty: "local" (default) or "docker" (`slipway up --runtime docker`). */
  defaultRuntime?: "local" | "docker";
}

export interface DeliveryDeps {
  store: Store;
  events: ServerEvents;
  dataDir: string;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
  /** Credentials the docker runtime's engine pulls with, per registry host (the server's own registry). */
  registryAuth?: (registry: string) => RegistryCredentials | undefined;
  /** Where the local runtime finds images (the server's own registry store, other registries through the client). */
  images?: ImageSource;
  /** Time-dependent changes to every app's desired state: cost-saving schedules scale Deployments to 0 (src/server/services/schedules.ts). */
  adjustDesired?: SyncControllerOptions["adjustDesired"];
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

/** The engine pulls from the server's own registry (host of publicUrl) with the admin token in DIR/admin.token. */
export function serverRegistryAuth(dataDir: string, publicUrl: () => string): (registry: string) => RegistryCredentials | undefined {
  return (registry) => {
    if (!publicUrl() || registry !== new URL(publicUrl()).host) return undefined;
    try {
      return { username: "admin", password: readFileSync(join(dataDir, "admin.token"), "utf8").trim() };
    } catch {
      return undefined;
    }
  };
}

export interface ReplicaView {
  app: string;
  namespace: string;
  deployment: string;
  name: string;
  pid?: number;
  /** Set on the docker runtime. */
  containerId?: string;
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
  private dockerRuntime: DockerRuntime | undefined;
  private readonly envRepos = new Map<number, EnvRepo>();
  private closed = false;
  /** Where the slipway shim for hook Jobs is ("" when no CLI is known). */
  private hookPath: string | undefined;
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
      // Not after `started`: the first reconcile may wait on a rollout for minutes, and this push may be what supersedes it.
      await known.controller.onEnvRepoPush(sha);
    } else if ((await holdsApplications(this.deps.repoPath(repo), sha)) && !this.closed) {
      await this.watch(repo, sha).started;
    }
  }

  /** The shared runtime, started when the first env repo appears. */
  private localRuntime(): LocalRuntime {
    this.runtime ??= new LocalRuntime({ dataDir: join(this.deps.dataDir, "runtime"), ingressPorts: this.options.ingressPorts, images: this.deps.images });
    return this.runtime;
  }

  /** The docker runtime: replicas as containers; it connects to the engine on first use and reports when none answers. */
  private containerRuntime(): DockerRuntime {
    this.dockerRuntime ??= new DockerRuntime({ dataDir: join(this.deps.dataDir, "runtime-docker"), ingressPorts: this.options.ingressPorts, engine: { registryAuth: this.deps.registryAuth } });
    return this.dockerRuntime;
  }

  /** The runtime an Application runs on, by destination.name (once started). */
  private runtimeOf(found: FoundApp): LocalRuntime | undefined {
    const name = found.app.application.spec.destination.name || (this.options.defaultRuntime ?? "local");
    return name === "docker" ? this.dockerRuntime : name === "local" ? this.runtime : undefined;
  }

  /** The runtime of the Applications deploying to a namespace (workload logs read from it). */
  runtimeOfNamespace(namespace: string): LocalRuntime | undefined {
    const found = this.applications().find((candidate) => candidate.app.namespace === namespace);
    return found ? this.runtimeOf(found) : undefined;
  }

  /** The local runtime once an env repo started it (workload logs read from it). */
  get startedRuntime(): LocalRuntime | undefined {
    return this.runtime;
  }

  /** Starts the repo's controller; `pushed` = the push that made it an env repo (its first sync is recorded as that push). */
  private watch(repo: RepoRecord, pushed?: string): EnvRepo {
    const existing = this.envRepos.get(repo.id);
    if (existing) return existing;
    this.hookPath ??= writeSlipwayShim(this.deps.dataDir, slipwayCommandOf(this.options.slipwayCommand)) ?? "";
    const controller = new SyncController({
      history: storeHistorySink(this.deps.store, repo.fullName),
      hookPath: this.hookPath || undefined,
      repoDir: this.deps.repoPath(repo),
      branch: repo.defaultBranch,
      runtimes: { local: this.localRuntime(), docker: this.containerRuntime() },
      defaultRuntime: this.options.defaultRuntime,
      resyncMs: this.options.resyncMs,
      driftCheckMs: this.options.driftCheckMs ?? 30_000,
      adjustDesired: this.deps.adjustDesired,
    });
    recordDeliveryEvents({ store: this.deps.store, events: this.deps.events, log: this.deps.log, appends: this.appends }, repo, controller);
    controller.on("load.failed", (event) => this.deps.log(`delivery ${repo.fullName}${event.app ? ` app ${event.app}` : ""}: ${event.message}`));
    const first = pushed ? controller.onEnvRepoPush(pushed).then(() => controller.start()) : controller.start();
    const started = first.catch((error: unknown) => this.deps.log(`delivery ${repo.fullName}: ${describeError(error)}`));
    const entry: EnvRepo = { repo, controller, started };
    this.envRepos.set(repo.id, entry);
    this.deps.log(`delivery: ${repo.fullName} is an environment repo; syncing its Applications`);
    return entry;
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
      runtime: app.application.spec.destination.name || (this.options.defaultRuntime ?? "local"),
      namespace: app.namespace,
      path: app.application.spec.source.path,
      ingressUrl: this.runtimeOf(found)?.ingressUrl(app.namespace),
      lastSync: app.syncHistory()[0],
    };
  }

  /** The app's live objects (those carrying its instance label) with their health. */
  resources(found: FoundApp): ResourceView[] {
    const namespace = found.app.namespace;
    const runtime = this.runtimeOf(found);
    if (!runtime) return [];
    const live = liveObjectsOf(runtime.snapshot(namespace), { app: found.app.name, annotations: new Map(), hooks: new Set() });
    return live.map((object) => {
      const ref = objectRef(object.object);
      const health = resourceHealth(object);
      return { kind: ref.kind, name: ref.name, namespace, health: health.status, message: health.message };
    });
  }

  /** The app's sync history from the store, newest first: it survives restarts. */
  async syncHistory(found: FoundApp, limit = 100): Promise<SyncRecord[]> {
    return (await this.deps.store.syncs.listSyncs({ repo: found.repo.fullName, app: found.app.name, limit })).map(({ repo: _repo, ...record }) => record);
  }

  /** Every replica of the app's Deployments. */
  replicas(found: FoundApp): ReplicaView[] {
    const namespace = found.app.namespace;
    const runtime = this.runtimeOf(found);
    if (!runtime) return [];
    const deployments = runtime.snapshot(namespace).deployments.filter((deployment) => deployment.spec.labels?.[instanceLabel] === found.app.name);
    return deployments.flatMap((deployment) =>
      deployment.pods.map((pod) => ({
        app: found.app.name,
        namespace,
        deployment: deployment.name,
        name: pod.name,
        pid: pod.pid,
        containerId: pod.containerId,
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

  /** Stops every controller (syncs in flight are interrupted, not failed: the next start carries on) and closes the runtime: no replica process is left. */
  async close(): Promise<void> {
    this.closed = true;
    const repos = [...this.envRepos.values()];
    await Promise.all(repos.map(async ({ controller, started }) => {
      // Stop first: a first sync still waiting for health would otherwise hold `started` (and the shutdown) for its whole deadline.
      const stopped = controller.stop();
      await started;
      await stopped;
    }));
    this.envRepos.clear();
    await this.runtime?.close();
    await this.dockerRuntime?.close();
    await Promise.all([...this.appends]);
  }
}
