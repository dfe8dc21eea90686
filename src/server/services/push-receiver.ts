/**
 * Turns a push into events: the post-receive hook spools the ref updates of one push into a file named
 * by a push id; after git is done the receiver records them as pushes (durably, before anything else),
 * removes the spool file and dispatches the workflows. A crash leaves either the spool file or an
 * unprocessed push row, and startup recovery picks both up: no push is lost (delivery is at least once).
 */

import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { describeError } from "../../core/errors";
import type { JsonObject } from "../../core/json";
import { describePush, parseRefUpdates, type RefUpdate } from "../../git/push-events";
import type { PushRecord, RepoRecord, Store } from "../../store";
import type { TriggerEvent } from "../../workflow/trigger-event";
import type { RunDispatcher } from "./run-dispatcher";
import type { ServerEvents } from "./server-events";
import { recordPushedRelease } from "./release-recorder";
import { repositoryPayload } from "./repository-payload";

export interface PushReceiverOptions {
  store: Store;
  spoolDir: string;
  dispatcher: RunDispatcher;
  events: ServerEvents;
  repoPath(repo: RepoRecord): string;
  log(message: string): void;
  /** Called for each recorded push of a branch, after its push runs were dispatched (pull request sync). */
  onBranchPush?(repo: RepoRecord, push: PushRecord): Promise<void>;
}

export interface SpoolTicket {
  /** For the hook's environment: SLIPWAY_PUSH_SPOOL. */
  path: string;
  repoId: number;
  pusher: string;
}

export class PushReceiver {
  constructor(private readonly options: PushReceiverOptions) {}

  async ticket(repo: RepoRecord, pusher: string): Promise<SpoolTicket> {
    await mkdir(this.options.spoolDir, { recursive: true });
    // repo id and pusher are in the name so recovery after a crash knows whose push it was.
    const path = join(this.options.spoolDir, `${repo.id}.${Buffer.from(pusher).toString("base64url")}.${randomUUID()}`);
    return { path, repoId: repo.id, pusher };
  }

  /** After git http-backend finished: record and dispatch what the hook spooled (nothing if the push failed). */
  async receive(ticket: SpoolTicket): Promise<PushRecord[]> {
    const text = await readFile(ticket.path, "utf8").catch(() => undefined);
    if (text === undefined) return [];
    const repo = await this.options.store.repos.getRepo(ticket.repoId);
    if (!repo) {
      await rm(ticket.path, { force: true });
      return [];
    }
    const pushes: PushRecord[] = [];
    for (const update of parseRefUpdates(text)) pushes.push(await this.record(repo, update, ticket.pusher));
    await rm(ticket.path, { force: true });
    for (const push of pushes) await this.process(repo, push);
    return pushes;
  }

  /** A ref update made by the server itself (a pull request merge): recorded and processed exactly like a pushed one. */
  async recordAndProcess(repo: RepoRecord, update: RefUpdate, pusher: string): Promise<PushRecord> {
    const push = await this.record(repo, update, pusher);
    await this.process(repo, push);
    return push;
  }

  private async record(repo: RepoRecord, update: RefUpdate, pusher: string): Promise<PushRecord> {
    const details = await describePush(this.options.repoPath(repo), update, repo.defaultBranch);
    return this.options.store.repos.recordPush({
      repoId: repo.id,
      ref: details.ref,
      before: details.before,
      after: details.after,
      pusher,
      forced: details.forced,
      commits: details.commits,
      changedPaths: details.changedPaths,
    });
  }

  private async recordRelease(repo: RepoRecord, push: PushRecord): Promise<void> {
    const release = await recordPushedRelease(this.options, repo, push);
    if (!release) return;
    const fields = { repo: repo.fullName, service: release.service, version: release.version, tag: release.tag, sha: release.sha };
    await this.options.store.events.append({ type: "release.created", subject: `release:${repo.fullName}/${release.tag}`, payload: { ...fields, previousVersion: release.previousVersion } });
    this.options.events.emit({ type: "release.created", ...fields, releaseId: release.id });
  }

  /** Startup: spool files left by a crash, then pushes recorded but not processed. */
  async recover(): Promise<void> {
    const names = await readdir(this.options.spoolDir).catch(() => [] as string[]);
    for (const name of names.filter((n) => !n.endsWith(".tmp"))) {
      const [repoId, pusher] = name.split(".");
      await this.receive({ path: join(this.options.spoolDir, name), repoId: Number(repoId), pusher: Buffer.from(pusher ?? "", "base64url").toString() });
    }
    for (const push of await this.options.store.repos.listUnprocessedPushes()) {
      const repo = await this.options.store.repos.getRepo(push.repoId);
      if (repo) await this.process(repo, push);
    }
  }

  /** Dispatches the runs of a recorded push and marks it processed (also used by webhooks and merges). */
  async process(repo: RepoRecord, push: PushRecord): Promise<void> {
    this.options.events.emit({ type: "push.received", repo: repo.fullName, ref: push.ref, after: push.after, pushId: push.id });
    try {
      if (!/^0+$/.test(push.after)) {
        await this.options.dispatcher.dispatch(repo, pushEvent(repo, push));
        if (push.ref.startsWith("refs/heads/")) await this.options.onBranchPush?.(repo, push);
        if (push.ref.startsWith("refs/tags/")) await this.recordRelease(repo, push);
      }
    } catch (error) {
      this.options.log(`push ${push.id} to ${repo.fullName} ${push.ref}: ${describeError(error)}`);
    }
    await this.options.store.repos.markPushProcessed(push.id);
  }
}

export function pushEvent(repo: RepoRecord, push: PushRecord): TriggerEvent {
  const repository = repositoryPayload(repo);
  const commits = push.commits as JsonObject[];
  return {
    name: "push",
    ref: push.ref,
    sha: push.after,
    before: push.before,
    changedPaths: push.changedPaths,
    actor: push.pusher,
    repository: repo.fullName,
    payload: {
      ref: push.ref,
      before: push.before,
      after: push.after,
      created: /^0+$/.test(push.before),
      forced: push.forced,
      repository,
      pusher: { name: push.pusher },
      commits,
      head_commit: commits[commits.length - 1] ?? null,
    },
  };
}
