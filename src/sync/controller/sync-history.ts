/** One app's sync records: numbered, kept in memory (newest last) and written through the history sink, reloaded after a restart. */

import { describeError } from "../../core/errors";
import { interruptedMessage } from "./interruption";
import type { DeploymentFacts, DeploymentRecord, SyncHistorySink, SyncRecord, SyncTrigger } from "./types";

/** The revision a finished record left running: a sync's own, a rollback's restore commit, a rolled-back sync's restored one. */
export function runningRevisionOf(record: SyncRecord): string | undefined {
  if (record.result === "Succeeded") return record.trigger.kind === "rollback" ? (record.revertCommit ?? record.revision) : record.revision;
  if (record.result === "RolledBack") return record.rolledBackTo;
  return undefined;
}

/** The deployment a finished sync record made. */
export function deploymentRecordOf(record: SyncRecord, facts: DeploymentFacts, result: DeploymentRecord["result"], previousRevision: string | undefined, revision: string): DeploymentRecord {
  return {
    ...structuredClone(facts),
    app: record.app,
    revision,
    ...(previousRevision === undefined ? {} : { previousRevision }),
    syncId: record.id,
    trigger: record.trigger.kind,
    result,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? new Date().toISOString(),
    ...(record.message === undefined ? {} : { message: record.message }),
  };
}

export class SyncHistory {
  private readonly records: SyncRecord[] = [];
  private nextId = 1;
  private loading: Promise<void> | undefined;
  /** Sink writes, chained so a record's start is stored before its finish. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly app: string,
    private readonly sink: SyncHistorySink | undefined,
    private readonly limit: number,
    private readonly onSinkError: (message: string) => void,
  ) {}

  /** Once: earlier records from the sink; one left without a result (the server crashed mid-sync) is closed as interrupted, as a graceful stop does. */
  load(): Promise<void> {
    this.loading ??= this.loadOnce();
    return this.loading;
  }

  private async loadOnce(): Promise<void> {
    if (!this.sink) return;
    let stored: SyncRecord[];
    try {
      stored = await this.sink.loadSyncs(this.app, this.limit);
    } catch (error) {
      this.onSinkError(`loading the sync history: ${describeError(error)}`);
      return;
    }
    for (const record of [...stored].reverse()) {
      if (record.result === undefined) {
        record.result = "Failed";
        record.finishedAt = new Date().toISOString();
        record.message = interruptedMessage;
        this.write((sink) => sink.saveSync(structuredClone(record)));
      }
      this.records.push(record);
      this.nextId = Math.max(this.nextId, record.id + 1);
    }
  }

  start(revision: string, trigger: SyncTrigger): SyncRecord {
    const record: SyncRecord = { id: this.nextId++, app: this.app, revision, trigger, startedAt: new Date().toISOString(), applied: [], pruned: [] };
    this.records.push(record);
    if (this.records.length > this.limit) this.records.shift();
    this.save(record);
    return record;
  }

  finish(record: SyncRecord, result: SyncRecord["result"], message?: string): void {
    record.finishedAt = new Date().toISOString();
    record.durationMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    record.result = result;
    if (message !== undefined) record.message = message;
    this.save(record);
  }

  /** Newest first, copies. */
  newestFirst(): SyncRecord[] {
    return structuredClone([...this.records].reverse());
  }

  /** The newest record matching, newest first. */
  findNewest(predicate: (record: SyncRecord) => boolean): SyncRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (predicate(this.records[i])) return this.records[i];
    return undefined;
  }

  /** What the newest finished record left running (after a restart: what ran before it). */
  runningRevision(): string | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const revision = runningRevisionOf(this.records[i]);
      if (revision !== undefined) return revision;
    }
    return undefined;
  }

  saveDeployment(deployment: DeploymentRecord): void {
    this.write((sink) => sink.saveDeployment(structuredClone(deployment)));
  }

  /** Resolves once every write handed to the sink so far has settled. */
  async flushed(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.writes) {
      seen = this.writes;
      await seen;
    }
  }

  private save(record: SyncRecord): void {
    const copy = structuredClone(record);
    this.write((sink) => sink.saveSync(copy));
  }

  private write(work: (sink: SyncHistorySink) => Promise<void>): void {
    const sink = this.sink;
    if (!sink) return;
    this.writes = this.writes.then(() => work(sink)).catch((error: unknown) => this.onSinkError(describeError(error)));
  }
}
